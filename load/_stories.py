"""Short made-up news stories, written for this project and not taken from any data set.

The tests use them throughout, and the load tools fall back on them when no data set is given.
"""

BRIDGE_TITLE = "City council approves new river bridge after decade of debate"
BRIDGE = """Riverton (CNN) -- The Riverton city council voted 7-2 on Tuesday to build a new bridge across the Mill River, ending a decade of debate over how to ease traffic in the town centre.
The $48 million project will be paid for with a state grant and a local bond, Mayor Ellen Park said after the vote.
Construction is expected to begin in March and take about two years, according to the city's engineering office.
Opponents argued that the bridge would bring more trucks through residential streets.
"We have heard every concern, and the design answers them," Park told reporters at City Hall.
Funding and timeline
The state grant covers $30 million of the cost, with the rest raised through a 20-year bond.
Council member Tom Reyes, who voted against the plan, said the town could not afford the debt.
Residents will be able to comment on the final design at public meetings in January.
The old Mill Street bridge, built in 1931, will stay open to pedestrians and cyclists.
CNN's Maria Lopez contributed to this report."""

STORM = """A powerful storm knocked out power to more than 200,000 homes across the northern coast on Sunday, officials said.
Winds of up to 90 miles per hour tore roofs from buildings and brought down trees in at least four counties.
Dr. Alan Shaw, a meteorologist at the U.S. National Weather Service, said the storm was the strongest to hit the region in 15 years.
Emergency crews worked through the night to clear roads, and schools in the worst-hit areas will stay closed on Monday.
Gov. Linda Marsh declared a state of emergency and asked residents to avoid travel.
"Stay home if you can, and check on your neighbours," Marsh said in a statement.
Utility companies warned that some customers could be without electricity until Wednesday.
The storm is expected to move out to sea by Monday evening, forecasters said.
Watch this clip as
the governor speaks about the storm response.
This video is from the
NewsNow channel on example.com.
Sources include:
Example.com
NewsWire.org"""

LONG_STORY_TITLE = "Scientists map ancient forest buried under glacier"
LONG_STORY = " ".join(
    [
        "Scientists have mapped an ancient forest buried for thousands of years beneath a retreating glacier in the northern mountains.",
        "The team used ground-penetrating radar to trace the roots and trunks of more than 400 trees preserved in the ice.",
        "Radiocarbon dating shows the forest grew about 7,000 years ago, when the climate in the region was warmer than today.",
        "The glacier has lost nearly a third of its area since 1980, exposing the first stumps to hikers three summers ago.",
        "Lead researcher Dr. Nina Holm said the find offers a rare record of how mountain ecosystems responded to past warming.",
        '"These trees are a time capsule, and the ice is opening it for us," Holm said.',
        "The researchers collected wood samples to study tree rings, which record the rainfall and temperature of each year.",
        "Early results suggest the forest died suddenly, perhaps after a series of cold summers triggered by volcanic eruptions.",
        "Local officials have closed part of the valley to protect the site from souvenir hunters.",
        "Park rangers said visitors had already removed several pieces of wood before the closure.",
        "The team plans to return next summer with drones to survey areas the glacier is expected to uncover.",
        "Funding for the project came from the national science foundation and two universities.",
        "Other glaciers in the range are retreating at similar rates, and researchers expect more discoveries.",
        "A similar buried forest was found in another mountain range in 2019, but it was far smaller.",
        "The findings were published on Thursday in a leading journal of earth sciences.",
        "The scientists said the site could help improve models that predict how forests will shift as the climate changes.",
        "Holm's team will share its radar maps with other researchers later this year.",
        "The glacier itself could disappear entirely within 60 years, according to the study.",
        "Tourism officials hope a small visitor centre explaining the discovery will open in the valley.",
        "The researchers also found traces of charcoal, which may point to ancient wildfires in the forest.",
        "Some of the trunks still stand upright, frozen in the positions they held when the ice advanced.",
        "Samples from the site will be stored at the national museum for future study.",
        "The university said it would publish a public summary of the research next month.",
        "Holm said the team was surprised by how well the wood had been preserved.",
        "Further dating work is planned to narrow down exactly when the trees died.",
        "Researchers believe the ice advanced over the forest within a few decades.",
        "The study's authors called for more monitoring of retreating glaciers worldwide.",
        "Rangers will patrol the valley daily during the summer season.",
        "Visitors can still hike the main trail, which stays open to the public.",
        "The research team includes scientists from four countries.",
        "Holm said the project would continue for at least three more years.",
        "The museum plans an exhibition of the wood samples in the spring.",
        "Scientists said the discovery highlights how quickly the region's ice is melting.",
        "More results are expected when the tree-ring analysis is finished next year.",
        "The team thanked local guides who helped carry equipment up the mountain.",
        "The valley lies about 40 kilometres from the nearest town.",
        "Holm said she hoped the forest would inspire people to care about the mountains.",
        "The study was peer reviewed before publication.",
        "Officials will review the valley closure at the end of the season.",
        "The researchers said they would return to the site every summer.",
    ]
)
