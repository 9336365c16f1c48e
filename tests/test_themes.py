"""Offline themes: recurring keywords in Finnish, Swedish and English, over enough different people."""
from __future__ import annotations

from bot.reports.themes import extract, language, stem, tokens


def answers(texts: list[str], authors: int, prompt_key: str | None = None) -> list[tuple]:
    """Each text written by `authors` different people."""
    return [(f"{i}-{a}", text, prompt_key) for i, text in enumerate(texts) for a in range(authors)]


def keywords(themes: list[dict]) -> list[str]:
    return [w for theme in themes for w in theme["keywords"]]


def test_inflected_forms_share_a_stem_in_each_language():
    assert len({stem(w, "fi") for w in ("palaute", "palautetta", "palautteen", "palautteesta")}) == 1
    assert len({stem(w, "fi") for w in ("luottamus", "luottamusta", "luottamuksen")}) == 1
    assert len({stem(w, "sv") for w in ("möte", "möten", "mötet")}) == 1
    assert len({stem(w, "en") for w in ("meeting", "meetings", "changed", "changes")}) == 2
    assert stem("planning", "en") == stem("plans", "en")


def test_language_is_told_by_stop_words():
    assert language(tokens("Minä opin, että palaute on tärkeää ja se auttaa")) == "fi"
    assert language(tokens("Jag lärde mig att det är bra med feedback och att fråga")) == "sv"
    assert language(tokens("I learned that it is good to ask for feedback")) == "en"
    assert tokens("Anna's feedback, tiimin-vetäjä 2026!") == ["anna", "feedback", "tiimin-vetäjä"]


def test_a_keyword_needs_enough_different_authors():
    one_person = [("solo", "Kubernetes kubernetes kubernetes migration", None)] * 20
    assert extract(one_person, 5) == []
    four = answers(["Kubernetes migration went well"], 4)
    assert extract(four, 5) == []
    five = answers(["Kubernetes migration went well"], 5)
    assert "kubernetes" in keywords(extract(five, 5))


def test_finnish_swedish_and_english_answers_give_their_own_keywords():
    found = extract(answers([
        "Pyysin palautetta esityksestä ja sain hyviä vinkkejä.",
        "Palautteen saaminen kollegalta auttoi esityksen kanssa.",
        "Jag fick återkoppling på presentationen från kollegorna.",
        "Återkopplingen hjälpte mig att förbättra presentationen.",
        "The onboarding guide confused new colleagues.",
        "We rewrote the onboarding guide together.",
    ], 3), 5)
    words = keywords(found)
    assert any(w.startswith("palaut") for w in words)
    assert any(w.startswith("återkoppling") for w in words)
    assert "onboarding" in words and "guide" in words
    assert all(theme["people"] >= 5 for theme in found)


def test_words_used_together_form_one_theme():
    found = extract(answers(["Remote meetings drain energy", "Remote meetings need clear agendas"], 4)
                    + answers(["Budget planning took forever"], 6), 5)
    themes = [set(t["keywords"]) for t in found]
    assert {"remote", "meetings"} <= themes[0]
    assert any({"budget", "planning"} <= t for t in themes)


def test_names_stop_words_and_the_question_itself_are_never_keywords():
    texts = ["Aino helped me with the deployment pipeline", "Thanks to Ainolle and Virtanen for the pipeline review",
             "Which feedback stuck with me? The pipeline feedback."]
    found = extract(answers(texts, 6, prompt_key="feedback-r01"), 5, names=["Aino Virtanen"],
                    prompt_texts={"feedback-r01": "Which piece of recent feedback has stuck with you, and why?"})
    words = keywords(found)
    assert "pipeline" in words
    for never in ("aino", "ainolle", "virtanen", "the", "with", "feedback", "which"):
        assert never not in words


def test_no_themes_when_too_few_people_shared():
    assert extract(answers(["Feedback feedback"], 4), 5) == []
    assert extract([], 5) == []


def test_at_most_five_themes_of_at_most_four_keywords():
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet".split()
    apart = extract(answers(words, 5), 5)
    assert len(apart) == 5 and all(len(theme["keywords"]) == 1 for theme in apart)
    together = extract(answers([" ".join(words)], 6), 5)
    assert [len(theme["keywords"]) for theme in together] == [4, 4, 2]
