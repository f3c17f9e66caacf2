"""Topic tags: one table of keyword rules, and the weight each tag gives a campaign's priority.

A campaign gets a tag when the tag's pattern matches (case-insensitively) at least
:data:`TAG_SHARE` of its calls, counted over its most frequent distinct transcripts — so one
garbled recording does not tag a campaign, and a campaign whose calls mostly start mid-sentence
(missing the agency's name) still gets it. The weights rank harm: COVID-19 fraud and
government impersonation first (the enforcement priorities of the FTC/FCC warning letters),
account-takeover impersonations next, sales pitches last. A tag's slug is lower-case; the
portal's COVID-19 filter is the tag ``covid-19``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: A campaign has a tag when the tag matches at least this share of its calls.
TAG_SHARE = 0.3
#: The priority weight of a campaign without any tag.
UNTAGGED_WEIGHT = 1.0


@dataclass(frozen=True)
class TagRule:
    tag: str
    label: str
    weight: float
    pattern: re.Pattern[str]


def _rule(tag: str, label: str, weight: float, pattern: str) -> TagRule:
    return TagRule(tag, label, weight, re.compile(pattern, re.IGNORECASE))


TAG_RULES: tuple[TagRule, ...] = (
    _rule("covid-19", "COVID-19 / coronavirus", 3.0,
          r"covid|coronavirus|corona virus|pandemic|\btest kits?\b|stay home"),
    _rule("government-impersonation", "Government impersonation (SSA, IRS, Medicare, police)", 3.0,
          r"social security|social insurance number|\bssa\b|\birs\b|internal revenue|medicare"
          r"|\bpolice\b|sheriff|\bofficer\b|federal agent|legal enforcement|enforcement action"
          r"|\bwarrant\b|magistrate|customs and border|border protection|federal reserve"
          r"|legal department|legal action"
          r"|department of (?:justice|treasury|financial)|\bfbi\b|\bdea\b"),
    _rule("amazon", "Amazon order or account", 2.0, r"\bamazon\b"),
    _rule("order-scam", "Fake order or purchase", 2.0,
          r"pre-?authori[sz]ed (?:order|purchase)|order (?:has been |was )?placed"
          r"|\b(?:iphone|macbook|airpods?|xbox)\b|gift card"),
    _rule("apple", "Apple support or iCloud", 2.0, r"\bapple (?:support|care|id)\b|icloud"),
    _rule("bank-impersonation", "Bank or payment account", 2.0,
          r"\bfargo\b|bank of america|chase bank|capital one|paypal|cash app|citibank"
          r"|checking account|bank account"),
    _rule("tech-support", "Tech support", 2.0,
          r"microsoft|tech(?:nical)? support|\bcomputer\b|\bwindows\b|\bvirus\b|hacked"
          r"|apple support|icloud|geek squad|norton|mcafee"),
    _rule("utility-disconnection", "Utility disconnection", 2.0,
          r"disconnect|interruption of service|utility outage|shut off|power and light"
          r"|gas and electric|electric(?:ity)? company|power company"),
    _rule("student-loans", "Student loans", 1.5, r"student loan"),
    _rule("credit-card-interest", "Credit card interest rate", 1.5,
          r"interest rate|rate reduction|rate expiration|percent interest|\d\s?% interest"
          r"|card ?member services"),
    _rule("health-insurance", "Health insurance", 1.5,
          r"health (?:insurance|plan|coverage)|medicare (?:plan|benefits)|medical (?:coverage|plan)"
          r"|\baca\b|obamacare|affordable care|insurance plan"),
    _rule("debt-relief", "Debt or tax relief", 1.5,
          r"debt (?:relief|elimination|reduction|settlement)|tax debt|back tax|consolidat"),
    _rule("parcel-delivery", "Parcel delivery", 1.5,
          r"\bpackage\b|\bparcel\b|shipment|\bdhl\b|fedex|\bups\b|sedex|快递|快件|包裹"),
    _rule("medical-products", "Medical products", 1.5,
          r"back brace|knee brace|medical alert|pain cream|diabetic supplies"),
    _rule("auto-warranty", "Auto warranty", 1.0,
          r"warrant(?:y|ies)\b|vehicle service|extended (?:auto|car|vehicle)"),
    _rule("travel-prize", "Hotel, travel or prize", 1.0,
          r"\bhotels?\b|vacation|cruise|\bresort\b|hilton|marriott|complimentary stay"
          r"|sweepstakes|you(?:'ve| have) won|\bprize\b"),
    _rule("tv-internet-offer", "TV or internet discount", 1.0,
          r"direct ?tv|dish network|spectrum|comcast|xfinity|satellite tv|internet service"),
    _rule("energy-discount", "Energy discount or solar", 1.0,
          r"\bsolar\b|third[- ]party supplier|electric (?:and gas )?bills?"),
)  # fmt: skip
TAG_WEIGHTS = {rule.tag: rule.weight for rule in TAG_RULES}


def tags_of(texts: Sequence[str], weights: Sequence[int], share: float = TAG_SHARE) -> list[str]:
    """The tags matching at least ``share`` of the calls (``texts[i]`` stands for
    ``weights[i]`` calls), in table order."""
    total = sum(weights)
    if total <= 0:
        return []
    found = []
    for rule in TAG_RULES:
        matched = sum(
            w for text, w in zip(texts, weights, strict=True) if rule.pattern.search(text)
        )
        if matched >= share * total:
            found.append(rule.tag)
    return found


def tag_weight(tags: Sequence[str]) -> float:
    """The weight of a campaign's most weighty tag (:data:`UNTAGGED_WEIGHT` for none)."""
    return max((TAG_WEIGHTS.get(tag, UNTAGGED_WEIGHT) for tag in tags), default=UNTAGGED_WEIGHT)
