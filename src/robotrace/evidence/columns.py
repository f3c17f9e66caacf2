"""The columns of the evidence files robotrace reads and the simulator writes."""

HONEYPOT_COLUMNS = (
    "call_id",
    "calling_number",
    "called_number",
    "call_time",
    "terminating_provider",
    "transcript",
    "identity",
    "recording",
)

#: The FTC's public Do Not Call complaint data, exactly.
FTC_COMPLAINT_COLUMNS = (
    "Company_Phone_Number",
    "Created_Date",
    "Violation_Date",
    "Consumer_City",
    "Consumer_State",
    "Consumer_Area_Code",
    "Subject",
    "Recorded_Message_Or_Robocall",
)
