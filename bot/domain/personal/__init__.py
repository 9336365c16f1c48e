"""What belongs to one person: their journal and data (journal), their preferences and help
(preferences), the privacy notice, their home view and their dashboard sign-in links (signin)."""
