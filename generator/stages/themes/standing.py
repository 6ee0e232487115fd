"""A member's standing in a theme, in words a reader takes as meant: "clear member", "member"
or "borderline".

The model's probability is not a reader's confidence: a theme's probabilities sit low when its
papers are few and varied (MuZero, whose title says "Planning with a Learned Model", scores
0.36 for Model-based RL, and is a clear member). What the stage does decide is a threshold per
paper (model.threshold: 0.2 with a keyword in the title or three in the abstract, 0.4 with a
passing mention, 0.6 with none); how far above it a member was admitted, and on what evidence,
is what its standing says:

- clear member: the theme lists it as an example; or its title uses the theme's keywords
  (or its abstract several times) and the model scores it well clear of its threshold;
- member: admitted well clear of its threshold on fewer keywords (the model vouches for it),
  or on its keywords alone when the theme had too few clear papers to train a model;
- borderline: admitted by less than `clear_margin` above its threshold.
"""

from __future__ import annotations

from generator.stages.themes.model import ThemeSettings

CLEAR = "clear member"
MEMBER = "member"
BORDERLINE = "borderline"
STANDINGS = (CLEAR, MEMBER, BORDERLINE)

# The rule behind each standing, as a reader is told it (paper pages; `digest themes`).
RULES = {
    CLEAR: "the theme lists it as an example, or its title uses the theme's keywords (or its "
           "abstract several times) and the theme's model, trained on such papers, agrees "
           "with room to spare",
    MEMBER: "the theme's model admits it with room to spare, from fewer keywords or from its "
            "other words (or, for a theme with too few clear papers to train a model, its "
            "keywords alone do)",
    BORDERLINE: "admitted only just: the model's score is close to the least it needs with "
                "this paper's keywords, so a small change could leave it out",
}


def standing(probability: float, evidence: float, example: bool, modelled: bool,
             settings: ThemeSettings) -> str:
    """The standing of an admitted member: its model `probability`, keyword `evidence`
    score, whether it is one of the theme's example titles, and whether a model was trained
    for the theme (False: the keywords decided alone)."""
    if example:
        return CLEAR
    if not modelled:
        return MEMBER
    strong = evidence >= settings.positive_evidence
    bar = settings.p_strong if strong else settings.p_weak if evidence > 0 else settings.p_none
    if probability < bar + settings.clear_margin:
        return BORDERLINE
    return CLEAR if strong else MEMBER
