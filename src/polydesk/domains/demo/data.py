"""The demo data set: the reference data and people the API documents' examples name, and the
words the generated records are made of. docs/demo.md describes it for users."""

from __future__ import annotations

from polydesk.core.enums import CustomFieldType, RecordKind, Role

SEED = 2026
RECORDS_PER_KIND = 200
"""Incidents and requests; problems, changes and releases get half as many."""

DEMO_PASSWORD = "123"
"""The password the ServiceOps examples use for tim@acme.com; every demo technician has it."""

SERVICES = ("Service Desk", "Email", "Network", "Hardware", "Software", "HW 1")
"""``Service Desk`` first: on an empty database it is service (django-helpdesk queue) 1."""

ACTIVITY_TYPES = ("Support", "Maintenance", "Installation")

CATEGORIES = (
    "Service Request",
    "Incident",
    "Request",
    "Incident Category",
    "SR Category",
    "Hardware",
    "Software",
    "Network",
    "Access",
)

DEPARTMENTS = ("IT", "Department", "Finance", "HR", "Sales")

LOCATIONS: tuple[tuple[str, str | None], ...] = (
    ("Asia", None),
    ("Ahmedabad", "Asia"),
    ("Europe", None),
    ("London", "Europe"),
    ("America", None),
    ("New York", "America"),
)
"""``(name, parent)``, parents first."""

COMPANIES: tuple[tuple[str, str], ...] = (
    ("Acme Corporation", "https://acme.example.com"),
    ("Globex", "https://globex.example.com"),
    ("Initech", "https://initech.example.com"),
)

STAFF: tuple[tuple[str, str | None, str, str, Role, str], ...] = (
    # email, username, first name, last name, role, password
    ("admin@acme.com", "admin", "Ada", "Admin", Role.ADMIN, "admin"),
    ("tim@acme.com", "tim", "Tim", "", Role.TECHNICIAN, DEMO_PASSWORD),
    ("luke@acme.com", "luke", "Luke", "Skywalker", Role.TECHNICIAN, DEMO_PASSWORD),
    ("dan@acme.com", "dan", "Dan", "Brown", Role.TECHNICIAN, DEMO_PASSWORD),
)
"""``admin``/``admin`` is the account django-helpdesk's examples sign in with."""

NAMED_REQUESTERS: tuple[tuple[str, str | None, str, str, str | None, str | None], ...] = (
    # email, username, first name, last name, department, location
    ("a@b.com", None, "utsav", "", "IT", None),
    ("snehashis.paul@motadata.com", "paulsn", "Snehashis", "Paul", "Department", "Ahmedabad"),
    ("test@mail.com", None, "Test", "Submitter", None, None),
)
"""The requesters the API documents' examples name (``paulsn`` is a login name)."""

GENERATED_REQUESTERS = 30

FIRST_NAMES = (
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
    "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Uma", "Victor", "Wendy",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Patel", "Garcia", "Müller", "Rossi", "Kim", "Nguyen", "Okafor", "Silva",
    "Dubois", "Novak", "Haddad", "Larsen", "Tanaka",
)  # fmt: skip

TECHNICIAN_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Service Desk Team", ("tim@acme.com", "luke@acme.com")),
    ("Network Team", ("dan@acme.com",)),
    ("Hardware Team", ("luke@acme.com", "dan@acme.com")),
)

CUSTOM_FIELD_KINDS = (RecordKind.INCIDENT, RecordKind.REQUEST)
CUSTOM_FIELDS: tuple[tuple[str, CustomFieldType, list[str] | None], ...] = (
    ("New Dropdown", CustomFieldType.LIST, ["1", "2", "3"]),
    ("New Number", CustomFieldType.DECIMAL, None),
    ("New Text Area", CustomFieldType.TEXTAREA, None),
    ("New Text Input", CustomFieldType.TEXT, None),
    ("New Multi-Select Dropdown", CustomFieldType.MULTISELECT, ["A", "B", "C"]),
    ("New Checkbox", CustomFieldType.MULTISELECT, ["A", "B", "C"]),
    ("New Datetime", CustomFieldType.DATETIME, None),
    ("New Radio", CustomFieldType.LIST, ["A", "B", "C"]),
    ("New Rich Text Area", CustomFieldType.TEXTAREA, None),
    ("WSR Sent", CustomFieldType.TEXT, None),
    ("WSR Status", CustomFieldType.TEXT, None),
    ("Count of WSR Sent", CustomFieldType.DECIMAL, None),
    ("Project Ticket ID", CustomFieldType.TEXT, None),
    ("Project Ticket Internal ID", CustomFieldType.TEXT, None),
    ("Delivery Ticket ID", CustomFieldType.TEXT, None),
    ("Delivery Ticket Internal ID", CustomFieldType.TEXT, None),
)
"""The custom fields of the ServiceOps examples: the documented ``{"New Dropdown": "1",
"New Number": 110.1, "New Text Area": "a11", "New Text Input": "111"}``, the observed
``{"New Multi-Select Dropdown": ["A","C"], "New Checkbox": ["C","B"], "New Datetime":
1756304676767}``, and the other fields the observed response lists (``New Radio``, ``New Rich
Text Area``, ``WSR Sent``, ``Count of WSR Sent``, the project and delivery ticket ids …)."""
GENERATED_FIELDS = ("New Dropdown", "New Number", "New Text Area", "New Text Input")
"""The fields every generated incident and request has a value for; the multi-choice and
date-time fields get one on about half of them."""

API_CLIENT_NAME = "main-web-app"
API_CLIENT_ID = "main-web-app-client"
API_CLIENT_SECRET = "main-web-app-secret"

CONFIG_TYPES: tuple[tuple[str, str | None, tuple[tuple[str, CustomFieldType], ...]], ...] = (
    ("Hardware", None, (("Serial Number", CustomFieldType.TEXT),)),
    ("Laptop", "Hardware", (("Serial Number", CustomFieldType.TEXT),)),
    (
        "Server",
        "Hardware",
        (("Serial Number", CustomFieldType.TEXT), ("IP Address", CustomFieldType.IPADDRESS)),
    ),
    ("Software", None, (("Version", CustomFieldType.TEXT),)),
    ("Network Device", None, (("IP Address", CustomFieldType.IPADDRESS),)),
)
"""``(name, parent, attributes)``, parents first."""

RELATIONSHIP_TYPES = (("Depends on", "Used by"), ("Runs on", "Hosts"), ("Connects to", None))

CONFIG_ITEMS: tuple[tuple[str, str, str | None, dict[str, str]], ...] = (
    # name, type, asset model, attributes
    ("LAPTOP-001", "Laptop", "asset_hardware", {"Serial Number": "SN-4411-A"}),
    ("LAPTOP-002", "Laptop", "asset_hardware", {"Serial Number": "SN-4411-B"}),
    ("LAPTOP-003", "Laptop", "asset_hardware", {"Serial Number": "SN-4411-C"}),
    ("MAIL-SRV-01", "Server", "asset_hardware", {"IP Address": "10.0.0.25"}),
    ("WEB-SRV-01", "Server", "asset_hardware", {"IP Address": "10.0.0.80"}),
    ("DB-SRV-01", "Server", "asset_hardware", {"IP Address": "10.0.0.54"}),
    ("Mail Server Software", "Software", "asset_software", {"Version": "9.2"}),
    ("Intranet Portal", "Software", "asset_software", {"Version": "3.4.1"}),
    ("Core Switch", "Network Device", None, {"IP Address": "10.0.0.1"}),
    ("Office Wi-Fi", "Network Device", None, {"IP Address": "10.0.1.1"}),
)

CONFIG_RELATIONSHIPS = (
    ("Mail Server Software", "Runs on", "MAIL-SRV-01"),
    ("Intranet Portal", "Runs on", "WEB-SRV-01"),
    ("Intranet Portal", "Depends on", "DB-SRV-01"),
    ("MAIL-SRV-01", "Connects to", "Core Switch"),
    ("WEB-SRV-01", "Connects to", "Core Switch"),
    ("Office Wi-Fi", "Connects to", "Core Switch"),
)

SUBJECTS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.INCIDENT: (
        "Cannot connect to the VPN",
        "Outlook keeps asking for my password",
        "Printer on floor 3 is jammed",
        "Laptop will not boot after update",
        "Wi-Fi drops every few minutes",
        "Shared drive is not reachable",
        "Intranet portal shows an error page",
        "Monitor flickers",
        "Phone line has no dial tone",
        "E-mail bounces from a customer domain",
    ),
    RecordKind.REQUEST: (
        "Need a new keyboard",
        "Need a new Mouse",
        "Access to the finance share",
        "New laptop for a new starter",
        "Install Visio",
        "Reset my password",
        "Add me to the sales mailing list",
        "Second monitor for my desk",
        "VPN access for a contractor",
        "Mobile phone for the field team",
    ),
    RecordKind.PROBLEM: (
        "Repeated VPN disconnects",
        "Mail server runs out of disk",
        "Printer driver crashes the spooler",
        "Slow logins on Monday mornings",
        "Wi-Fi access points reboot at random",
    ),
    RecordKind.CHANGE: (
        "Upgrade the mail server",
        "Replace the core switch",
        "Roll out the new printer driver",
        "Add disk to the database server",
        "Move the intranet to a new server",
    ),
    RecordKind.RELEASE: (
        "Quarterly desktop image",
        "Intranet portal 3.5",
        "Mail client upgrade",
        "Network firmware bundle",
        "Security patch roll-up",
    ),
}

DESCRIPTIONS = (
    "It started this morning and happens every time I try.",
    "Several people in my team see the same thing.",
    "I restarted my computer but nothing changed.",
    "This blocks my work on the monthly report.",
    "It worked yesterday; nothing was installed since.",
    "Please see the screenshot in the attachment.",
)

COMMENTS = (
    "Looking into it now.",
    "Could you tell me the exact error message?",
    "I have restarted the service; please try again.",
    "Waiting for the vendor to answer.",
    "Thanks, it works again.",
    "Escalated to the network team.",
    "Scheduled for tonight's maintenance window.",
)

RESOLUTIONS = (
    "Reinstalled the driver.",
    "Password reset and account unlocked.",
    "Replaced the faulty cable.",
    "Configuration corrected on the server.",
    "Hardware delivered and set up.",
)

TAGS = ("vpn", "email", "printer", "laptop", "network", "access", "urgent", "mouse", "new-starter")
SOURCES = ("External", "Email", "Support Portal", "Technician Portal", "Phone")
CHANGE_RISKS = ("Low", "Medium", "High")
CHANGE_TYPES = ("Minor", "Standard", "Significant", "Major", "Emergency")
TARGET_ENVIRONMENTS = ("Production", "Development", "Test")
RELEASE_TYPES = ("Minor", "Major", "Emergency")
