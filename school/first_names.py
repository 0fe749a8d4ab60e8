"""Common Swedish first names, to notice a pupil's nickname that looks like a real name.

A hand-made selection (not a copy of the tables) of names near the top of Statistics Sweden's
(SCB) name statistics: common first names of women and men of all ages, names often given to
newborns in the years today's pupils were born, and common names of Swedes with roots
elsewhere. Lower-case; short on purpose: it only has to catch the usual "Anna Svensson".
"""
from __future__ import annotations

_NAMES = """
agnes albin alexander alexandra alfred ali alice alicia alma alva alvin amanda amelia amina
anders andreas anna anneli annika anton arvid astrid august axel ayan benjamin bengt birgitta
björn bo carina carl caroline casper charlie charlotte christer christina clara colin daniel
david ebba ebbe edith edvin elias elin elisabeth ella ellen ellie elliot elsa elton elvira
emelie emil emilia emma erik ester fatima felicia felix filip frank fredrik freja frida gabriel
gunilla gustav göran hampus hanna hannes hans harry hassan helena henrik hiba hugo ibrahim ida
idun ines inger ingrid isabelle isak ivar jack jacob jakob jan jenny jesper joel johan johanna
john jonas jonathan josef josefin julia juni kalle karin karl katarina kent kerstin kevin klara
kristina lars leah leia lena leo leon levi liam lilly lina linda linn linnea linus lisa liv
loke love lovisa lucas ludvig lukas magnus maja malin malte maria marie markus marcus martin
maryam matilda mats matteo mattias max maya meja melvin mikael milo mira moa mohamed mohammad
mohammed molly monica muhammad måns nathalie nellie nicole niklas nils noah noel nora nour
nova olivia olle oliver omar oscar otto patrik per peter rasmus rebecka robin sam samuel sara
saga selma signe simon sixten sofia sofie stefan stella stina susanne svea sven tage theo thea
theodor thomas tilda tilde tindra tove tuva ulf ulla valter vera viktor vilgot ville vincent
wilma william yasmin yusuf zara åsa
"""

FIRST_NAMES: frozenset[str] = frozenset(_NAMES.split())
