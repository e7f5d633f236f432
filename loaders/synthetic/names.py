"""Names and wording: people, places, units and case summaries."""

SUMMARIES: dict[str, tuple[str, ...]] = {
    "complaint": (
        "Complaint about a stop and search",
        "Complaint about handling of a reported burglary",
        'Complaint of rudeness during a call, "you\'re wasting our time"',
        "Complaint about use of force at arrest",
    ),
    "conduct": (
        "Alleged failure to supervise",
        "Misuse of police systems",
        "Discourtesy on duty",
        "Inappropriate messages to colleagues",
    ),
    "criminal": (
        "Alleged assault off duty",
        "Alleged theft from a property store",
        "Alleged data disclosure to a third party",
    ),
    "domestic_abuse": (
        "Allegation of coercive control by a serving officer",
        "Alleged assault on a partner",
        "Harassment of a former partner",
    ),
    "sexual_misconduct": (
        "Abuse of position for a sexual purpose",
        "Unwanted sexual comments to a colleague",
        "Inappropriate relationship with a victim",
    ),
    "other": (
        "Business interest not declared",
        "Notifiable association not declared",
        "Off-duty incident & media report",
    ),
}
FIRST = (  # noqa: SIM905
    "Aaliyah Aaron Adam Aisha Alan Alice Amara Amir Ana Andrew Anita Ben Beth Callum Chloe Chris Claire "
    "Dana Daniel Deepa Ellie Emma Eve Fatima Femi Gareth Grace Hana Harry Ian Imran Isla Jack Jade James "
    "Jo Kai Karen Kwame Laura Leon Lucy Mark Megan Mohammed Nadia Niamh Oliver Olu Paul Priya Rachel Rhys "
    "Ruth Sam Sara Sean Sofia Tom Wei Zara"
).split()
LAST = (  # noqa: SIM905
    "Ahmed Baker Bennett Brown Campbell Carter Chen Clarke Davies Dunn Evans Fisher Green Hall Harris "
    "Hughes Hussain Jackson Jones Kaur Khan Kowalski Lewis Martin Mensah Mitchell Morgan Murphy Nguyen "
    "Novak Okafor Patel Phillips Price Quinn Reed Roberts Robinson Shaw Singh Smith Taylor Thomas Turner "
    "Walker Ward Watson White Williams Wilson Wood Wright Young O'Brien O'Connor McDonald"
).split()
TRICKY = (
    "Dana O'Neil",
    "Jo Müller",
    "Sam & Alex Carter-Smith",
    "Robin <b>Bold</b> Hood",
    'Chris "CJ" D\'Arcy',
    "Smith, John",
    "Zoë Łukasiewicz",
    "Siobhán Ní Bhriain",
)
AREAS = ("North", "South", "East", "West", "Central", "City", "Coastal", "Rural", "Valley", "Harbour")
TOWNS = (
    "Ashby",
    "Bramley",
    "Carrow",
    "Dunford",
    "Elmstead",
    "Fairholme",
    "Galton",
    "Hexley",
    "Ivybridge",
    "Jarrow",
    "Kelby",
    "Langley",
    "Marsden",
    "Northam",
    "Oakley",
    "Penrith",
    "Quarry Bank",
    "Redhill",
)
PLACES = tuple(
    a + b
    for a in ("North", "South", "East", "West", "Mid", "Upper", "Lower", "Great")
    for b in ("shire", "moor", "vale", "land", "field", "ford")
)
