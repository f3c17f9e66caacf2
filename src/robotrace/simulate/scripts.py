"""Robocall scripts: a few templates per campaign kind, rendered with variation.

``[a|b|c]`` picks one synonym; ``{name}``, ``{callback}``, ``{amount}``, ``{order}`` and
``{state}`` are filled per call. Variants of one script are near-duplicates, never copies,
which is what content-based campaign grouping has to cope with.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from robotrace.simulate import names


@dataclass(frozen=True)
class CampaignKind:
    key: str
    name: str
    subject: str
    templates: tuple[str, ...]


_SSA = (
    "[This call is from|This is a call from|This message is from] the Department of Social "
    "Security Administration. The reason you [received|are receiving] this call is to inform "
    "you that we [just suspended|have suspended|are suspending] your social security number "
    "because we found [some suspicious activity|fraudulent activities] in the state of {state}. "
    "[To know about this case|If you want to know about this case|To speak with an officer], "
    "[just press 1|press 1 now|call us back at {callback}]. Thank you.",
    "[This message is intended to contact you|We are contacting you] regarding a legal "
    "enforcement action [filed|executed] under your social security number. [Ignoring this|If "
    "you ignore this] [call|message], your social will be blocked permanently. This is "
    "officer {name}. [Please call|Call] {callback} [immediately|right away|today].",
)
_COVID = (
    "Hello, this is {name} [calling|reaching out] about your [free|no cost] COVID-19 test kit. "
    "[Due to|Because of] the [current|ongoing] pandemic, you [qualify|are eligible] for a "
    "[home|at-home] test kit [shipped|delivered] to your door [at no cost|for free]. "
    "[Press 1|Please press 1] to [claim|reserve] your kit, or call {callback}.",
    "[Attention|Important notice]: [Medicare|your insurance] will cover [two|four] COVID-19 "
    "test kits [this month|this week only]. [To have them shipped|To receive your kits], "
    "press 1 [now|to speak with a representative]. Call back number {callback}.",
)
_WARRANTY = (
    "[Hi,|Hello,] this is {name} calling [with|from] the Vehicle Service Department. We are "
    "calling about your vehicle's [manufacturer's|factory] warranty. We [sent you|mailed you] "
    "several notices that you have yet to extend your warranty [past|beyond] the factory "
    "cutoff, and this is a courtesy call [to renew|before we close the file]. [Press 5 now|"
    "Press 1 now] or call {callback}. Press 9 to be removed from our list.",
    "[Hi,|Hey,] this is {name} from the dealer service center. We [noticed|recently noticed] "
    "your car's extended warranty [will expire|is about to expire] and wanted to give you one "
    "[final|last] courtesy call. [To extend|If you wish to extend] your coverage, press 4 or "
    "call {callback}.",
)
_AMAZON = (
    "[Hi,|Hello,] this is {name} from Amazon [customer service|security department]. We "
    "[have seen|noticed] a [recent|suspicious] order number {order} of iPhone 11 Pro on your "
    "account, [billed|charged] to your card for {amount}. [If you did not authorize this "
    "order|To cancel this order], press 1 [now|or call {callback}].",
    "We would like to inform you that [an order|a pre-authorized order] [has been placed|was "
    "placed] for [an Apple iPhone|a MacBook Pro|a Samsung TV] using your Amazon account for "
    "{amount}. [If you do not authorize this order|If this was not you], press 1, or call "
    "{callback}. Thank you.",
)
_UTILITY = (
    "[Greetings,|Hello,] this is an automated message from the Disconnection Department of "
    "[your power company|your electric company|the power and light company] to inform you "
    "that your service will be [disconnected|shut off] [today|within 30 minutes] due to an "
    "unpaid balance of {amount}. [Please press 1|Press 1] to speak to a representative, or "
    "call {callback}.",
    "[Final notice|Urgent]: your [electric|utility] account is past due by {amount}. [A "
    "technician|Our crew] is [scheduled|on the way] to disconnect your meter. To avoid "
    "disconnection, call the billing department at {callback}.",
)
_STUDENT = (
    "[Hi,|Hello,] this is {name} with [the Student Support Center|Student Loan Services]. I am "
    "following up [in regards to|about] your [outstanding|remaining] federal student loan "
    "balance. You [may be|are] eligible for the [Federal Student Loan Forgiveness|loan "
    "forgiveness] program. [You can reach us|Call us] directly at {callback}. Again, that's "
    "{callback}.",
    "[Important|Time-sensitive] message about your student loans: [new federal "
    "programs|changes made this year] can [reduce|lower] your payments or [forgive|eliminate] "
    "your balance. Press 1 or call {callback} [before the deadline|today].",
)
_CREDIT = (
    "[Based on|Because of] your [excellent|good] payment history, you now qualify for a 0% "
    "interest rate on all your credit card accounts. This is a limited time offer and you must "
    "respond [immediately|today]. Press 1 now to speak to our qualification department, or "
    "call {callback}.",
    "This is {name} from card member services. [Your account qualifies|You are eligible] for "
    "a [lower|reduced] interest rate. [Press 1|To lower your rate press 1] now, or call "
    "{callback}. Press 2 to be removed.",
)
_APPLE = (
    "[Hello,|Hi,] this call is from Apple [Support|Care]. We [detected|found] suspicious "
    "activity on your iCloud account, [and your account has been compromised|and someone may "
    "be using your Apple ID]. [To connect with an Apple Support advisor|To secure your "
    "account], press 1 or call our toll-free number {callback}.",
    "[Alert|Warning]: your Apple ID [has been|was] [locked|suspended] [for security "
    "reasons|because of unusual sign-in activity]. Please call {callback} [to restore "
    "access|immediately]. Press 2 to listen to this message again.",
)

_DEBT = "Reducing your debt (credit cards, mortgage, student loans)"
KINDS: dict[str, CampaignKind] = {
    k.key: k
    for k in (
        CampaignKind("covid_test_kits", "COVID-19 test kits", "Medical & prescriptions", _COVID),
        CampaignKind("ssa_suspension", "Social Security suspension", "Imposters", _SSA),
        CampaignKind("auto_warranty", "Auto warranty", "Warranties & protection plans", _WARRANTY),
        CampaignKind("amazon_order", "Amazon order", "Imposters", _AMAZON),
        CampaignKind(
            "utility_disconnection", "Utility disconnection", "Energy, solar, & utilities", _UTILITY
        ),
        CampaignKind("student_loans", "Student loan forgiveness", _DEBT, _STUDENT),
        CampaignKind("credit_card_interest", "Credit card interest rate", _DEBT, _CREDIT),
        CampaignKind("apple_support", "Apple support", "Computer & technical support", _APPLE),
    )
}
#: A second script of each scam, worded apart from the first ones but reading out the same
#: call-back number: the variant campaign of a notification world (``simulate.notices``).
VARIANT_TEMPLATES: dict[str, str] = {
    "covid_test_kits": "[Good news|Great news]: [a free|a complimentary] COVID-19 testing "
    "package has been [reserved|set aside] in your name by the [health|wellness] program. "
    "[Confirm your mailing address|Verify your address] by calling {callback} [today|now].",
    "ssa_suspension": "[Final warning|Last notice] from the Social Security fraud "
    "[unit|division]: a warrant [is pending|has been issued] against your benefits. "
    "[Speak to an agent|Resolve it] before [5 pm|the end of the day] at {callback}.",
    "auto_warranty": "[Our records show|It looks like] your [car|vehicle] is [no longer|not] "
    "covered for [engine|powertrain] repairs. [Lock in|Secure] a [new|fresh] protection plan "
    "[before prices rise|this week] by calling {callback}.",
    "amazon_order": "[Your Amazon Prime membership|Your Prime account] [will renew|is set to "
    "renew] [today|tonight] for {amount}. [To dispute the charge|To stop the renewal], "
    "[speak to a billing agent|talk to support] at {callback}.",
    "utility_disconnection": "[This is a courtesy reminder|Courtesy notice] from [utility "
    "billing|the meter services office]: [a crew|a technician] [will be dispatched|is being "
    "sent] to [cut|disconnect] your [power|gas] [this afternoon|in one hour]. Pay by phone at "
    "{callback}.",
    "student_loans": "[You have been|You were] [pre-approved|selected] for a [federal|new] "
    "[consolidation|repayment] plan [that could erase|that can cancel] your [student debt|"
    "school loans]. [Enrollment closes|The window closes] [Friday|soon]; dial {callback}.",
    "credit_card_interest": "[Your card issuer|Your bank] [has authorized|approved] a "
    "[rate reduction|lower APR] [on your balances|for your cards]. [Claim it|Activate it] "
    "[before it expires|within 24 hours] by calling {callback}.",
    "apple_support": "[Your iCloud storage|Your iPhone backup] [has been|was] [disabled|"
    "frozen] after [a payment failure|a billing problem]. [A technician|An Apple advisor] "
    "[can restore it|will help you] at {callback}.",
}

REQUIRED_KINDS = (
    "covid_test_kits", "ssa_suspension", "auto_warranty", "amazon_order", "utility_disconnection",
)  # fmt: skip
OPTIONAL_KINDS = ("student_loans", "credit_card_interest", "apple_support")

LEGIT_TEMPLATES = (
    "Hi, this is {name} from [the dental office|Dr. Patel's office] calling to [confirm|remind "
    "you of] your appointment [tomorrow|on Thursday]. Please call us back at {callback}.",
    "Hey, it's {name}. [Just calling to check in|Sorry I missed you], call me back when you "
    "get a chance. [Thanks|Talk soon].",
    "This is {name} from the pharmacy. Your prescription is ready for pickup. [Thank "
    "you|Have a nice day].",
)

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_STATES = ("Texas", "Florida", "California", "New York", "Arizona", "Georgia")


def spoken_number(rng: random.Random, digits: str) -> str:
    """A call-back number as text-to-speech and transcription write it."""
    style = rng.randrange(3)
    if style == 0:
        return " ".join(digits)
    if style == 1:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def pick_template(rng: random.Random, templates: tuple[str, ...]) -> str:
    """A campaign mostly plays its main script (the first), sometimes another one."""
    if len(templates) == 1 or rng.random() < 0.7:
        return templates[0]
    return rng.choice(templates[1:])


def render(template: str, rng: random.Random, callback: str) -> str:
    """One spoken variant of ``template``."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    text = text.format(
        name=names.person(rng),
        callback=spoken_number(rng, callback),
        amount=f"${rng.choice((299, 399, 499, 749, 1499))}.{rng.choice(('00', '99'))}",
        order=f"AMZ{rng.randrange(1000, 10000)}",
        state=rng.choice(_STATES),
    )
    if rng.random() < 0.2:
        # Honeypot recordings often start mid-sentence: the greeting was missed.
        text = text.split(" ", rng.randint(2, 5))[-1]
    return text
