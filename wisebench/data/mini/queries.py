"""Query templates per category: reasoning sentences (is_sentence true) and short phrases (false).

A phrase with {color} is used only when the target's colour is known; plural templates serve two-instance targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Templates:
    sentences: tuple[str, ...]
    phrases: tuple[str, ...]
    plural_sentences: tuple[str, ...] = ()
    plural_phrases: tuple[str, ...] = ()


TEMPLATES: dict[str, Templates] = {
    "plate": Templates(
        ("Where would you put a slice of cake to serve it?", "What on this table would you serve dinner on?",
         "the flat dish that food is usually served on",
         "If you wanted to serve a sandwich, which item here would you put it on?"),
        ("the plate", "plate", "the {color} plate", "dinner plate")),
    "bowl": Templates(
        ("What would you pour cereal and milk into for breakfast?", "the container best suited for serving soup",
         "Which dish here could hold a salad or a soup?"),
        ("the bowl", "bowl", "the {color} bowl", "soup bowl")),
    "mug": Templates(
        ("What could you drink hot coffee from?", "the thing you would fill with tea in the morning",
         "Which item would you use to serve someone a hot drink?", "What here keeps your hands warm on a cold morning when filled with cocoa?"),
        ("the {color} mug", "mug", "the coffee cup", "the {color} cup"),
        ("the things you would drink your coffee from", "Which objects could you pour hot tea into?",
         "What could two people use to drink coffee together?"),
        ("the mugs", "cups", "both mugs")),
    "spoon": Templates(
        ("What would you use to eat the soup in this picture?", "the utensil you would use to eat soup",
         "Which utensil is best for stirring sugar into tea?"),
        ("the spoon", "spoon", "metal spoon")),
    "fork": Templates(
        ("What utensil would you use to pick up pieces of salad?", "the utensil with prongs for spearing food",
         "Which piece of cutlery would you twirl spaghetti with?"),
        ("the fork", "fork", "silver fork")),
    "knife": Templates(
        ("What could you use to cut the bread?", "Which tool on the table is meant for slicing food?",
         "the sharp utensil used for cutting"),
        ("the knife", "knife", "table knife")),
    "bottle": Templates(
        ("What would you uncap to pour some juice for this meal?", "Which object would you pour water or juice from?",
         "the container you would open to pour a drink"),
        ("the bottle", "bottle", "the {color} bottle"),
        ("Which containers here could hold a drink to pour?", "the things you would uncap to pour a drink"),
        ("the bottles", "bottles")),
    "apple": Templates(
        ("Which food here grows on a tree and is often red or green?",
         "If you wanted a crunchy healthy snack, what would you grab?",
         "the fruit that keeps the doctor away, as the saying goes"),
        ("the apple", "apple", "the {color} apple"),
        ("the fruits you could eat as a crunchy snack", "Which fruits here could you bake into a pie?"),
        ("the apples", "apples", "both apples")),
    "banana": Templates(
        ("Which fruit here would you have to peel before eating?", "the long curved fruit that monkeys love",
         "What snack here is yellow and rich in potassium?"),
        ("the banana", "banana", "yellow banana")),
    "sun": Templates(
        ("What is the source of daylight in this scene?", "Which thing in the sky makes it warm and bright outside?",
         "the thing that would make you wear sunglasses"),
        ("the sun", "sun")),
    "tree": Templates(
        ("Which thing here has a trunk, branches and leaves?", "What would drop its leaves on the pavement in autumn?",
         "the plant that birds might build a nest in"),
        ("the tree", "tree", "green tree"),
        ("Which things here would drop their leaves in autumn?", "the plants that grow leaves and have trunks"),
        ("the trees", "trees")),
    "house": Templates(
        ("Where might the people of this neighbourhood live?", "Which building would you enter to get out of the rain?",
         "the place where a family could sleep at night"),
        ("the house", "house", "the building")),
    "door": Templates(
        ("What would you open to enter the house?", "Through which part of the building would someone walk inside?",
         "the part of the building you walk through to get inside"),
        ("the door", "door", "the {color} door")),
    "window": Templates(
        ("What part of the wall lets daylight into the room?", "Through what could you look outside or inside?",
         "the glass opening in the wall"),
        ("the window", "window")),
    "car": Templates(
        ("What could take you to work if it is too far to walk?", "Which thing in the street has an engine and four wheels?",
         "the vehicle you could drive to the supermarket"),
        ("the {color} car", "car", "the car"),
        ("Which vehicles could drive you somewhere?", "the things on the road that have engines"),
        ("the cars", "cars", "both cars")),
    "traffic light": Templates(
        ("What tells drivers when they should stop?", "Which object controls the traffic at this crossing?",
         "the signal that turns red, yellow and green"),
        ("the traffic light", "traffic light", "traffic signal")),
    "person": Templates(
        ("Who could cross the street in this scene?", "Which thing in the picture is a human being?",
         "the one walking around on foot in this scene"),
        ("the person", "person", "the pedestrian", "the person in {color}"),
        ("Who are the people walking outside?", "the human beings in this picture"),
        ("the people", "people", "both pedestrians")),
    "umbrella": Templates(
        ("If it starts raining, what could the person use to stay dry?",
         "What is the person holding to protect themselves from rain?", "the thing that keeps someone dry in a shower"),
        ("the umbrella", "umbrella", "the {color} umbrella")),
    "laptop": Templates(
        ("What would you use to write an email here?", "Which device on the desk can browse the internet?",
         "the portable computer you could take to a cafe"),
        ("the laptop", "laptop", "the {color} laptop", "notebook computer")),
    "lamp": Templates(
        ("What can you switch on to read at night?", "Which object on the desk gives light?",
         "the thing that lights up the desk when it gets dark"),
        ("the desk lamp", "lamp", "the {color} lamp")),
    "book": Templates(
        ("What could you read to learn something new?", "Which object on the desk has many pages?",
         "the thing you might borrow from a library"),
        ("the book", "book", "the {color} book"),
        ("the things you could read on a long train ride", "Which objects on the desk are full of printed pages?"),
        ("the books", "books", "both books")),
    "pen": Templates(
        ("What could you use to sign a document?", "Which object would you use to write a note on paper?",
         "the tool for writing with ink"),
        ("the pen", "pen", "the {color} pen")),
    "phone": Templates(
        ("What would you use to call a friend?", "Which device here can send text messages?",
         "the small device you could take a photo with"),
        ("the phone", "phone", "smartphone", "the mobile phone")),
    "ruler": Templates(
        ("What could you use to measure the length of a sheet of paper?",
         "the straight tool with a scale for drawing lines"),
        ("the ruler", "ruler")),
    "plant": Templates(
        ("Which thing in the room needs to be watered regularly?", "What living thing here makes oxygen?",
         "the thing you would water every week"),
        ("the plant", "potted plant", "houseplant"),
        ("Which things here would die if nobody watered them?", "the living green things in pots"),
        ("the plants", "potted plants", "both plants")),
    "sofa": Templates(
        ("Where could three people sit down together to watch a movie?", "Which piece of furniture would you nap on?",
         "the comfortable seat for the whole family"),
        ("the sofa", "couch", "the {color} sofa")),
    "cushion": Templates(
        ("What could you put behind your back for more comfort on the couch?",
         "the soft thing to rest your head on while lying on the sofa"),
        ("the cushion", "pillow", "the {color} cushion"),
        ("the soft things to lean against on the couch", "Which things make the couch softer to lean on?"),
        ("the cushions", "pillows", "both cushions")),
    "tv": Templates(
        ("What would you turn on to watch the news?", "Which device shows films and shows in this room?",
         "the screen you would watch a football match on"),
        ("the tv", "television", "TV screen")),
    "clock": Templates(
        ("Which object tells you what time it is?", "What would you look at to know if you are late?",
         "the thing with hands that move around a dial"),
        ("the clock", "wall clock", "the {color} clock")),
    "rug": Templates(
        ("What covers part of the floor to keep your feet warm?", "Which object on the floor would you vacuum?",
         "the soft covering lying on the floor"),
        ("the rug", "carpet", "the {color} rug")),
    "floor lamp": Templates(
        ("What could you switch on to light the room in the evening?", "the tall light that stands on the floor",
         "Which thing would you turn on to read on the sofa at night?"),
        ("the floor lamp", "standing lamp", "lamp")),
    "picture": Templates(
        ("What decorates the wall with a piece of art?", "Which thing on the wall shows a painting of a landscape?",
         "the framed artwork hanging on the wall"),
        ("the picture", "painting", "picture frame")),
}

# a colour word is only worth using when it names the colour we painted
_COLOR_WORDS = {"red", "blue", "green", "yellow", "orange", "white", "black", "gray", "brown", "purple", "pink", "teal",
                "beige"}


def make_query(rng: np.random.Generator, category: str, sentence: bool, plural: bool, color: str | None) -> str:
    t = TEMPLATES[category]
    if plural:
        options = t.plural_sentences if sentence else t.plural_phrases
    else:
        options = t.sentences if sentence else t.phrases
    if color not in _COLOR_WORDS:
        options = tuple(o for o in options if "{color}" not in o)
    text = options[int(rng.integers(len(options)))]
    return text.format(color=color) if "{color}" in text else text


def plural_capable(category: str) -> bool:
    return bool(TEMPLATES[category].plural_sentences)
