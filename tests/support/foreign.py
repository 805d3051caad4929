"""Short made-up news stories in German and French, for the language checks."""

GERMAN = (
    "Berlin. Die Bundesregierung hat am Mittwoch beschlossen, die Steuern für Familien mit Kindern zu "
    "senken. Finanzminister Klaus Weber sagte, das Geld komme aus höheren Einnahmen des vergangenen Jahres. "
    "Die Opposition kritisierte den Plan als zu teuer und forderte mehr Investitionen in Schulen. "
    "Das Gesetz soll im Januar in Kraft treten, wenn der Bundestag zustimmt."
)
FRENCH = (
    "Paris. Le gouvernement a annoncé mercredi une baisse des impôts pour les familles avec enfants. "
    "Le ministre des Finances a déclaré que l'argent proviendrait de recettes plus élevées que prévu. "
    "L'opposition a jugé le plan trop coûteux et réclamé davantage d'investissements dans les écoles. "
    "La loi doit entrer en vigueur en janvier si l'Assemblée nationale l'adopte."
)
