"""The sandbox's demo course and its people."""

from dataclasses import dataclass
from typing import Any

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = (LIS + "membership#Instructor", LIS + "institution/person#Faculty")
TEACHING_ASSISTANT = (LIS + "membership/Instructor#TeachingAssistant",)
LEARNER = (LIS + "membership#Learner", LIS + "institution/person#Student")
MENTOR = (LIS + "membership#Mentor",)
ADMIN = (LIS + "system/person#Administrator", LIS + "membership#Instructor")

COURSE = {
    "id": "demo-course-101",
    "label": "DATA101",
    "title": "Data Literacy for Everyone",
    "resource_link": "communitas-link-1",
}


@dataclass(frozen=True)
class DemoUser:
    """A person in the demo course; ``share_pii`` mimics LMS privacy settings."""

    sub: str
    given: str
    family: str
    roles: tuple[str, ...]
    share_pii: bool = True

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def label(self) -> str:
        if self.roles == INSTRUCTOR:
            return "Instructor"
        if self.roles == TEACHING_ASSISTANT:
            return "Teaching assistant"
        if self.roles == ADMIN:
            return "LMS administrator"
        if self.roles == MENTOR:
            return "Mentor (no course role)"
        return "Learner"

    def pii(self) -> dict[str, Any]:
        if not self.share_pii:
            return {}
        email = f"{self.given}.{self.family}@example.edu".lower().replace(" ", "")
        return {
            "name": self.name,
            "given_name": self.given,
            "family_name": self.family,
            "email": email,
        }


_LEARNERS = [
    ("Ana", "Souza"),
    ("Ben", "Carter"),
    ("Chen", "Wei"),
    ("Divya", "Nair"),
    ("Emeka", "Obi"),
    ("Fatima", "Haddad"),
    ("Gabriel", "Rossi"),
    ("Hana", "Kobayashi"),
    ("Ivan", "Petrov"),
    ("Jade", "Martin"),
    ("Kofi", "Mensah"),
    ("Lena", "Fischer"),
    ("Mateo", "García"),
    ("Nora", "Lindqvist"),
    ("Omar", "Farouk"),
    ("Priya", "Shah"),
    ("Quinn", "O'Brien"),
    ("Rosa", "Jiménez"),
    ("Sami", "Virtanen"),
    ("Tala", "Reyes"),
    ("Uma", "Iyer"),
]

USERS: dict[str, DemoUser] = {
    u.sub: u
    for u in [
        DemoUser("instructor-1", "Maya", "Okafor", INSTRUCTOR),
        DemoUser("ta-1", "Leo", "Brandt", TEACHING_ASSISTANT),
        DemoUser("admin-1", "Sam", "Admin", ADMIN),
        DemoUser("mentor-1", "Rui", "Costa", MENTOR),
        *[
            # Two learners launch without names, as under strict LMS privacy settings.
            DemoUser(f"learner-{i + 1}", given, family, LEARNER, share_pii=i not in (7, 15))
            for i, (given, family) in enumerate(_LEARNERS)
        ],
    ]
}
