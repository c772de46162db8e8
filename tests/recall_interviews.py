"""Six hand-written interviews (not the seed) for the recall tests: the TUNING set.

The search's folding, typo look-up, rerank and no-match decision were developed against
these interviews and the queries in tests/test_search_recall.py, so figures measured on
them are tuning figures, not a report of how the search does on text nobody has seen.

Each interview is (interview id, interviewee, [(question, answer), ...]); answers are
plain prose in several styles: British and American spelling, numbers as digits and as
words, curly quotes and dashes, short and long answers.
"""

from __future__ import annotations

Interview = tuple[str, str, list[tuple[str | None, str]]]

SCIENCE: Interview = (
    "astro",
    "Dr Amara Osei",
    [
        (
            "When did you first get interested in the night sky?",
            "My grandmother had a cheap pair of binoculars. We would sit on the roof in Kumasi "
            "and count satellites crossing overhead. I was maybe seven years old and I thought "
            "they were shooting stars that had forgotten to fall.",
        ),
        (
            "What does your team actually measure?",
            "We measure the wobble of a star as a planet tugs on it. The signal is tiny, about "
            "the speed of a person walking. Most nights the instrument gives us noise and we "
            "throw half the data away.",
        ),
        (
            "How long does an observing run last?",
            "A typical run is twelve nights at the telescope in Chile. You sleep during the day "
            "with foil on the windows. By the third night your body forgets what breakfast is.",
        ),
        (
            "Was there a moment you thought you had found something?",
            "In 2019 we saw a dip in the light curve that looked exactly like a transit. We "
            "celebrated with warm champagne in the control room. Two weeks later it turned out "
            "to be a faulty cooling fan.",
        ),
        (
            "How do you handle failure in research?",
            "You learn to love the null result. A negative answer still narrows the search, "
            "and it is honest. The worst thing a scientist can do is analyse the data until it "
            "confesses.",
        ),
        (
            "What would you say to students who want to do this?",
            "Learn to programme before you learn the constellations. Nearly all of astronomy "
            "now happens in code, not at the eyepiece. And find a supervisor who answers "
            "emails.",
        ),
        (
            "What about the funding situation?",
            "Funding comes in cycles of three to five years, and every cycle you rewrite the "
            "same proposal with a new colour scheme. It is exhausting. I have spent more hours "
            "on grant forms than on the mountain.",
        ),
        (
            "Do you ever look through a telescope just for fun?",
            "Almost never, which is a little sad. Last summer I took my nephew to a star party "
            "and he cried when he saw the rings of Saturn. That reminded me why I started.",
        ),
        (
            "What is the hardest part of the instrument to build?",
            "The optical fibres. They have to carry the starlight without bending it, and the "
            "ends must be polished by hand for forty to fifty hours each.",
        ),
        (
            "Where is the field going next?",
            "Atmospheres. Within ten years we will read the air of a rocky planet and look "
            "for oxygen next to methane. That pairing would be very hard to explain without "
            "life.",
        ),
        (
            "Any regrets?",
            "I missed my sister's wedding for an eclipse that was clouded out. She still brings "
            "it up at every birthday dinner.",
        ),
    ],
)

SPORT: Interview = (
    "marathon",
    "Kip Wanjiru",
    [
        (
            "How did you start running?",
            "I ran to school every morning, eleven kilometres each way, because the bus cost "
            "money we did not have. Nobody called it training. It was just how you got to "
            "class before the bell.",
        ),
        (
            "What went wrong in Berlin?",
            "At thirty kilometres my left calf cramped so badly I had to stop and stretch "
            "against a barrier. The crowd thought I was finished. I jogged the last twelve "
            "kilometres and still ran a personal best.",
        ),
        (
            "Tell us about your coach.",
            "My coach is a retired schoolteacher who never ran a marathon in her life. She "
            "watches everything and writes in a green notebook. When she underlines something "
            "twice, I listen.",
        ),
        (
            "What does a hard week look like?",
            "Around two hundred kilometres, with two sessions on the track and a long run on "
            "Sunday. I eat six times a day and sleep at least nine hours. The boring part is "
            "the recovery, not the running.",
        ),
        (
            "How do you deal with injuries?",
            "I bruised a rib in a fall on a wet track and tried to run through it. That was "
            "stupid. Now I rest the moment something hurts, because a week off is cheaper than "
            "a season off.",
        ),
        (
            "What is going through your head in the final mile?",
            "Honestly, shopping lists. If I think about the pain it wins, so I count the "
            "groceries I need for the week. Tomatoes, rice, eggs, bananas.",
        ),
        (
            "Do you use the latest shoes?",
            "The carbon plates are a real advantage, maybe two or three percent. I worry "
            "about kids who cannot afford them losing races to equipment instead of to "
            "better runners.",
        ),
        (
            "What did you do with your first prize money?",
            "I bought my mother a water tank so she would not have to walk to the river. "
            "That was the proudest day of my career, more than any medal.",
        ),
        (
            "What about pacemakers?",
            "A good pacemaker is like a metronome with legs. They keep the first half honest "
            "so you do not waste your race on adrenaline in the opening kilometres.",
        ),
        (
            "Will you run the Olympics?",
            "If the federation picks me, yes. The heat worries me more than any rival. We "
            "are doing sauna sessions to get used to it.",
        ),
        (
            "What will you do when you retire?",
            "I want to open a running camp for girls in my village. There is talent "
            "everywhere and almost no coaching.",
        ),
    ],
)

COOKING: Interview = (
    "kitchen",
    "Marguerite Lalande",
    [
        (
            "What was the first dish you ever cooked?",
            "An omelette, badly. I was nine and I used the whole carton of eggs because I "
            "thought more eggs meant more omelette. My father ate every bite and told me it "
            "was the best thing he had ever tasted.",
        ),
        (
            "Why did you leave the restaurant in Lyon?",
            "The kitchen was a theatre of shouting. Everybody performed anger because that "
            "was what chefs were supposed to do. I wanted to cook somewhere people could "
            "make a mistake without being humiliated.",
        ),
        (
            "How do you design a menu?",
            "I start from the market, never from the plate. If the tomatoes are good, we build "
            "around tomatoes. A menu organised around a concept instead of an ingredient "
            "usually tastes like a concept.",
        ),
        (
            "What is your relationship with salt?",
            "Salt is the volume knob. Most home cooks are afraid of it and their food is quiet. "
            "Season a little at every stage rather than a lot at the end.",
        ),
        (
            "Tell me about the bread.",
            "Our sourdough takes three days from start to finish. The starter is older than my "
            "daughter; it came from a baker in Brittany who gave it to me in a jam jar.",
        ),
        (
            "What is the hardest thing about running a restaurant?",
            "The margins. You can be full every night and still lose money if the rent goes up "
            "by twenty percent. People think restaurants fail because the food is bad; mostly "
            "they fail because of the lease.",
        ),
        (
            "Has a critic ever hurt you?",
            "One review called my dessert a bruised apology. I laughed, then I cried in the "
            "walk-in fridge, then I changed the dessert. He was right.",
        ),
        (
            "How do you treat your staff?",
            "Everybody eats together at four o'clock, dishwashers and sous chefs at the same "
            "table. The family meal is the most important service of the day.",
        ),
        (
            "What do you cook at home?",
            "Noodles, eggs, whatever is in the fridge. At home I refuse to plate anything. My "
            "kids would riot if I served them a foam.",
        ),
        (
            "Any advice for young cooks?",
            "Keep your knives sharp and your ego blunt. Taste everything, especially the "
            "things you think you hate.",
        ),
        (
            "What does flavour mean to you?",
            "Flavour is memory. The smell of butter browning takes me straight back to my "
            "grandmother's kitchen and her yellow enamel pans.",
        ),
    ],
)

MUSIC: Interview = (
    "trio",
    "Theo Marsh",
    [
        (
            "How did the trio form?",
            "We met in a practice room at the conservatory that nobody else wanted because the "
            "piano was out of tune. We kept playing there for three years out of loyalty to "
            "that terrible piano.",
        ),
        (
            "What is the new record about?",
            "It is about my father's hometown, a steel town that lost its mill. Every track is "
            "named after a street that is not there anymore.",
        ),
        (
            "How do you write?",
            "I hum melodies into my phone while walking the dog. Ninety percent of them are "
            "rubbish. The other ten percent become songs after the band tears them apart.",
        ),
        (
            "What was the worst gig you ever played?",
            "A wedding in a barn where the power kept cutting out. We finished the set "
            "acoustic, by candlelight, and the bride said it was the best part of the day.",
        ),
        (
            "Who are your influences?",
            "Bill Evans for the voicings, and honestly a lot of 1970s television theme tunes. "
            "Those composers could say everything in thirty seconds.",
        ),
        (
            "How do you feel about streaming?",
            "Streaming pays us fractions of a cent. We make our living on the road and by "
            "selling vinyl at the merch table. The algorithm does not care about a trio.",
        ),
        (
            "Do you improvise on stage?",
            "Every night. We agree on the head and the ending and everything in the middle is "
            "a conversation. Some nights the conversation is boring, and that is honest too.",
        ),
        (
            "What does your drummer bring?",
            "Nadia listens harder than anyone I know. She plays less than any drummer I have "
            "worked with and it makes the whole band sound bigger.",
        ),
        (
            "How do you prepare for a tour?",
            "Forty shows in fifty days. We rehearse the transitions, not the songs, and I pack "
            "earplugs, throat lozenges and a travel kettle.",
        ),
        (
            "What advice would you give a young musician?",
            "Play with people who are better than you and say yes to the weird gigs. My "
            "career started at a funeral where I played the deceased's favourite cartoon "
            "theme.",
        ),
    ],
)

POLITICS: Interview = (
    "council",
    "Mayor Dolores Reyes",
    [
        (
            "Why did you run for mayor?",
            "The bus route to the hospital was cut and my neighbour missed her dialysis twice. "
            "I went to a council meeting to complain and left as a candidate.",
        ),
        (
            "What is your housing plan?",
            "We are rezoning the old rail yards for four thousand homes, a quarter of them "
            "affordable. Developers hate the quota and tenants say it is too small, so it is "
            "probably about right.",
        ),
        (
            "How do you respond to the criticism about the budget?",
            "The deficit is real and I will not pretend otherwise. We balanced the budget by "
            "delaying the new library, which broke my heart, because I grew up in that "
            "library.",
        ),
        (
            "What about public transport?",
            "Buses every ten minutes on the five busiest corridors, and free fares for "
            "children under sixteen. Transit is a health policy as much as a transport policy.",
        ),
        (
            "How do you work with the opposition?",
            "I have breakfast with the opposition leader every first Monday of the month. We "
            "disagree on almost everything but we both hate potholes.",
        ),
        (
            "What was your biggest mistake?",
            "Closing the riverside market without asking the stallholders. I defended the "
            "decision for a month, then I apologised in person and we reopened it.",
        ),
        (
            "How do you handle social media?",
            "I stopped reading the replies after my first week in office. My staff tell me if "
            "something real is happening. Anger online is not the same as anger on the street.",
        ),
        (
            "What about climate policy?",
            "We planted eleven thousand trees in the neighbourhoods that were hottest in the "
            "heatwave. Shade is a civil right in a city like this.",
        ),
        (
            "Would you run for governor?",
            "No. I like a job where people can find me at the grocery store and yell at me "
            "about their bins.",
        ),
        (
            "What keeps you going?",
            "Kids at the new swimming pool. Last August there were queues around the block, "
            "and half of them had never swum before.",
        ),
    ],
)

PODCAST: Interview = (
    "mic",
    "Jules Okafor",
    [
        (
            "How did the podcast begin?",
            "It started as voice memos to my brother when he moved to Canada. He said they "
            "were better than the radio, so we bought two microphones and a cheap interface.",
        ),
        (
            "What equipment do you use now?",
            "The same two microphones, a laptop and a duvet. Recording in a wardrobe full of "
            "coats is the best acoustic treatment money cannot buy.",
        ),
        (
            "How do you choose guests?",
            "I look for people who have changed their minds about something big. Certainty is "
            "boring to listen to for an hour.",
        ),
        (
            "What episode are you proudest of?",
            "The one with the lighthouse keeper. She talked for two hours about loneliness and "
            "storms and we cut nothing. Thousands of people wrote to us after that episode.",
        ),
        (
            "How do you make money?",
            "Listener subscriptions, mostly. We tried advertising but reading a mattress "
            "advert after a conversation about grief felt wrong, so we dropped it.",
        ),
        (
            "What is the hardest part of editing?",
            "Cutting the ums without cutting the person. If you remove every hesitation, "
            "people sound like robots and the listener stops trusting them.",
        ),
        (
            "Have you ever had a guest walk out?",
            "Once. A chef stormed off when I asked about his restaurant closing. We aired the "
            "empty chair and forty seconds of silence, which people still mention.",
        ),
        (
            "How many people listen?",
            "About eighty thousand a week, which still feels like a mistake in the "
            "spreadsheet. I picture one person in a kitchen doing the washing up.",
        ),
        (
            "What about video podcasts?",
            "I resisted for years because I wanted people to listen with their eyes closed. "
            "We finally put cameras in the wardrobe, and honestly the coats look great on "
            "camera.",
        ),
        (
            "What is next for the show?",
            "A live tour. Twelve cities, a folding table and two microphones on stage. If it "
            "goes badly we will make an episode about that.",
        ),
        (
            "Any advice for new podcasters?",
            "Publish the first fifty episodes before you look at the numbers. By then you "
            "have either found your voice or you have found out you hate the sound of it.",
        ),
    ],
)

INTERVIEWS: list[Interview] = [SCIENCE, SPORT, COOKING, MUSIC, POLITICS, PODCAST]
