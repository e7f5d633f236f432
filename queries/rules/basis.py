"""The legal and guidance basis the rules cite (conflict-rules.md)."""

from __future__ import annotations

REG_15_3_B = "Police (Conduct) Regulations 2020, reg. 15(3)(b): no interested party may investigate."
REG_15_3_C = "Police (Conduct) Regulations 2020, reg. 15(3)(c): no one working, directly or indirectly, under the management of the officer concerned."
REG_15_3_D = "Police (Conduct) Regulations 2020, reg. 15(3)(d): where the officer concerned is a senior officer, no member of the same force."
SUPER_COMPLAINT = "2022 HMICFRS / College of Policing / IOPC response to the police-perpetrated domestic abuse super-complaint: investigators with no previous dealings with the suspect."
IOPC_IMPARTIALITY = "IOPC Statutory Guidance (2020) on the impartiality of investigators."
NOTIFIABLE = "College of Policing guidance on notifiable associations; Code of Ethics on declaring interests."
