"""What a bot says with its moves: a short line fitting the move and the bot's manner.

Lines are picked by the game's seed, so two games rarely sound the same and a replay
always does. They stay polite whatever the strategy: a hard-liner is firm, not rude.
"""

from __future__ import annotations

from typing import Literal

Manner = Literal["warm", "firm", "fair", "curious"]
# open: first offer; concede: a better offer than my last; hold: the same again;
# final: an offer marked final; accept, reject, walkout, claim: those moves.
Moment = Literal["open", "concede", "hold", "final", "accept", "reject", "walkout", "claim"]

LINES: dict[Manner, dict[Moment, tuple[str, ...]]] = {
    "warm": {
        "open": (
            "Hi! Here is where I would like to start.",
            "Hello, good to meet you. Let me open with this.",
            "Let's find something that works. My first thought:",
        ),
        "concede": (
            "I can move a little on this.",
            "Let me meet you part of the way.",
            "Here is a better offer for you.",
            "I've thought about it, and I can improve my offer.",
        ),
        "hold": (
            "I'm not quite there yet, sorry.",
            "I need a bit more than that.",
            "Could you move a little closer?",
        ),
        "final": ("This is really as far as I can go.", "I've nothing left to give after this."),
        "accept": ("Deal! Thank you.", "That works for me. Deal.", "Agreed, thanks!"),
        "reject": ("I'm afraid I can't take that one.",),
        "walkout": (
            "I'm sorry, I do better without a deal. Thanks for your time.",
            "I don't think we can get there. No hard feelings!",
        ),
        "claim": ("I'll put down what we agreed.", "Writing down our deal now."),
    },
    "firm": {
        "open": ("Here is my offer.", "I'll be straight with you: this is what I need."),
        "concede": ("I can give a little here. Not much.", "A small step, to show good faith."),
        "hold": (
            "My position hasn't changed.",
            "That doesn't work for me.",
            "You'll have to do better than that.",
        ),
        "final": ("This is my final offer.", "Take it or leave it: this is final."),
        "accept": ("Fine. Deal.", "Agreed."),
        "reject": ("No.", "I can't accept that."),
        "walkout": ("I have better options. I'm walking away.", "We're done here, thank you."),
        "claim": ("Confirming the terms on the table.",),
    },
    "fair": {
        "open": ("Let's start here and see where we meet.", "Here is my opening offer."),
        "concede": (
            "You moved, so I'll move too.",
            "Fair is fair: here is a step towards you.",
            "I'll match your step.",
        ),
        "hold": (
            "I'll move when you do.",
            "That's the same as before; I'll wait for a step from you.",
        ),
        "final": ("This is my last offer.",),
        "accept": ("Good, we have a deal.", "Agreed. Thanks for the fair exchange."),
        "reject": ("I can't accept that one.",),
        "walkout": ("We couldn't meet in the middle. I'll take my alternative.",),
        "claim": ("Recording the terms we settled on.",),
    },
    "curious": {
        "open": (
            "Let me propose a package; tell me what matters most to you.",
            "Here is a first package. Which parts matter most on your side?",
        ),
        "concede": (
            "I tried to give you more where I think you care most.",
            "How about this trade: more for you where it counts for you.",
            "Here is a package that should suit you better.",
        ),
        "hold": (
            "Is there an issue you care less about? We could trade there.",
            "Help me understand what matters most to you.",
        ),
        "final": ("This is the best package I can offer.",),
        "accept": ("Great, that works for both of us.", "Deal. Good trade!"),
        "reject": ("That one doesn't work for me.",),
        "walkout": ("I don't see a package that beats my alternative. Thank you.",),
        "claim": ("Confirming our package.",),
    },
}


def line(manner: Manner, moment: Moment, draw: float) -> str:
    """The line for a move, ``draw`` in [0, 1) choosing among the fitting ones."""
    choices = LINES[manner][moment]
    return choices[int(draw * len(choices)) % len(choices)]
