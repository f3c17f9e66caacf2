"""The subjects of the FTC's Do Not Call complaints: the answers its complaint form offers to
"What was the call about?", as they appear in its public data (``Subject``).

One list for everything that needs it: the public report form (:mod:`robotrace.reports`)
offers exactly these, so a consumer's report reads like an FTC complaint in the statistics,
and the benchmarks generate their complaints from it. Reading FTC files does not check
against it: the FTC has renamed subjects over the years, and old files hold old names.
"""

from __future__ import annotations

#: Alphabetical, "Other" last (the form's order). "No Subject Provided", the data's word for
#: none, is :data:`robotrace.evidence.ftc.NO_SUBJECT`, not a choice.
FTC_SUBJECTS: tuple[str, ...] = (
    "Computer & technical support",
    "Coronavirus (COVID-19)",
    "Dropped call or no message",
    "Energy, solar, & utilities",
    "Home improvement & cleaning",
    "Home security & alarms",
    "Imposters",
    "Lotteries, prizes & sweepstakes",
    "Medical & prescriptions",
    "Reducing your debt (credit cards, mortgage, student loans)",
    "Vacation & timeshares",
    "Warranties & protection plans",
    "Work from home",
    "Other",
)
