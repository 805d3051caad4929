"""Made-up stories generated with their key points, for fitting and scoring a ranker in tests."""

from __future__ import annotations

import random


def generated_stories(count: int, seed: int = 7) -> list[tuple[str, list[str]]]:
    """Made-up council stories with their key points, varied enough to fit a ranker on.

    The key facts sit in the first two sentences and in one late sentence; the rest is colour, quotes
    and procedure, as in real news.
    """
    rng = random.Random(seed)
    towns = ["Alder", "Brookfield", "Carrow", "Dunmore", "Eastwick", "Fallow", "Glenby", "Harrow", "Ivel"]
    projects = ["library", "swimming pool", "bus depot", "school", "bridge", "park", "clinic", "market hall"]
    names = ["Ana Ruiz", "Ben Cole", "Cara Singh", "Dev Patel", "Eve Moss", "Finn Ode", "Gia Lund"]
    stories = []
    for _ in range(count):
        town, project, name = rng.choice(towns), rng.choice(projects), rng.choice(names)
        cost, votes, year = rng.randint(2, 90), rng.randint(5, 9), rng.randint(2026, 2031)
        key = [
            f"The {town} council approved a new {project} on Tuesday at a cost of ${cost} million.",
            f"The plan passed by {votes} votes to {11 - votes} after a long public debate.",
            f"The {project} is due to open in {year}, officials said.",
        ]
        colour = [
            f'"This is a good day for {town}," said council leader {name}.',
            "Residents packed the public gallery for the meeting, which ran late into the evening.",
            f"Some speakers said the money should have been spent on roads instead of a {project}.",
            "The meeting also approved minutes from the previous session.",
            f"A local choir sang outside the town hall before the vote on the {project}.",
            "Several members asked for a further review of the budget.",
            "The weather was cold and wet for most of the day.",
            f"{name} thanked council staff for their work on the proposal.",
        ]
        rng.shuffle(colour)
        body = [key[0], key[1], *colour[:4], key[2], *colour[4:]]
        highlights = [
            f"{town} council approves a new {project} at a cost of ${cost} million .",
            f"The {project} will open in {year} .",
        ]
        stories.append((" ".join(body), highlights))
    return stories
