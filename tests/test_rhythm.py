"""Working time: hours, days, holidays and time zones."""
from __future__ import annotations

from datetime import time, timedelta

from bot.domain.shared.rhythm import Calendar
from harness import at

CAL = Calendar(time(8), time(17), (0, 1, 2, 3, 4), "FI")
HKI = "Europe/Helsinki"


def test_working_time_stays():
    assert CAL.next_slot(at("2026-12-03 14:00"), HKI) == at("2026-12-03 14:00")


def test_before_hours_moves_to_start_and_after_hours_to_next_morning():
    assert CAL.next_slot(at("2026-12-03 06:30"), HKI) == at("2026-12-03 08:00")
    assert CAL.next_slot(at("2026-12-03 17:00"), HKI) == at("2026-12-04 08:00")
    assert CAL.next_slot(at("2026-12-04 18:00"), HKI) == at("2026-12-07 08:00")


def test_weekend_and_holiday_keep_the_clock_time():
    assert CAL.next_slot(at("2026-12-05 10:00"), HKI) == at("2026-12-07 10:00")
    assert CAL.next_slot(at("2026-12-24 14:00"), HKI) == at("2026-12-28 14:00")
    assert CAL.next_slot(at("2026-12-06 20:00"), HKI) == at("2026-12-07 08:00")


def test_no_holidays_when_country_empty():
    assert Calendar(time(8), time(17), (0, 1, 2, 3, 4), "").next_slot(at("2026-12-24 14:00"), HKI) == at("2026-12-24 14:00")


def test_other_time_zone():
    slot = CAL.next_slot(at("2026-12-03 14:00"), "America/New_York")
    assert slot == at("2026-12-03 15:00")


def test_add_working_time_skips_nights_weekends_and_holidays():
    two_days = CAL.day_length * 2
    assert CAL.add_working_time(at("2026-12-03 14:00"), two_days, HKI) == at("2026-12-07 14:00")
    assert CAL.add_working_time(at("2026-12-23 14:00"), two_days, HKI) == at("2026-12-29 14:00")
    assert CAL.add_working_time(at("2026-12-03 14:00"), timedelta(hours=3), HKI) == at("2026-12-03 17:00")


def test_dst_change_is_handled():
    # Clocks go forward on Easter Sunday 2027-03-28; Easter Monday is a holiday too.
    assert CAL.next_slot(at("2027-03-27 12:00"), HKI) == at("2027-03-30 12:00")
