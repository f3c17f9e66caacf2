"""Why an enforcement step was refused (the API answers these as 409 or 422)."""


class EnforcementError(ValueError):
    """The step does not fit the state of the letter or authorization (409)."""


class InvalidRequest(EnforcementError):
    """The request itself is wrong: nothing named, an unknown campaign, a bad number (422)."""
