"""Phrase tables: the words and phrases that name a location, onset, symptom, ... (data only).

Each entity maps a normalised value to phrases, which are regular expressions over the
canonical text (lower case, single spaces). ``{D}``, ``{S}`` and ``{A}`` are shorthands
(see :data:`SHORTHANDS`); ``phrase_finders.py`` expands and compiles them, matches each on
word boundaries and drops a match when :data:`CONTEXT_VETO_RX` matches the text just before
it. Where phrases overlap, the longest match wins (``pipeline.py``).
"""

from __future__ import annotations

#: Shorthands usable inside phrases, replaced before compiling.
SHORTHANDS = {
    # an optional determiner ("the ", "my ", ...)
    "{D}": "(?:(?:the|my|your|his|her|that|this) )?",
    # a side word before "knee" ("my *left* knee"), for patterns that stop before it
    "{S}": "(?:(?:left|right|both|l|r|other) )",
    # a non-side adjective that may sit inside a location phrase ("behind my sore knee")
    "{A}": "(?:(?:bad|sore|injured|dodgy|painful|affected|problem) )?",
}

#: Body parts other than the knee: swelling there is not knee swelling ("puffy calf").
_OTHER_PARTS = (
    r"(?:calf|calves|calfs|shins?|ankles?|foot|feet|toes?|lower legs?|hands?|fingers?"
    r"|wrists?|elbows?|face|eyes?|thighs?|hips?|arms?|stomach|belly|tummy)"
)
_OTHER_PART_AFTER = (
    rf"(?! (?:(?:in|on|around|of|at|down|over|near|round|by|into|to) )?"
    rf"(?:(?:my|the|his|her|your|both|left|right|lower|a|an|whole|warm|hot|red|sore|tender"
    rf"|painful|tight|and) )*{_OTHER_PARTS}\b)"
)

#: A way of getting hurt, in a denial ("never fell", "didn't twist it").
_HARM_VERB = (
    r"(?:injure|injured|hurt|twist|twisted|fall|fell|bang|banged|knock|knocked|hit|roll"
    r"|rolled)(?: it| myself| my knee| anything)?"
)

#: Entity -> normalised value -> phrases (regular expressions, see above).
PHRASES: dict[str, dict[str, list[str]]] = {
    "location": {
        "inner_joint_line": [
            "(?:inner|medial|inside) joint line", "joint line",
            "deep inside", "deep in {D}(?:knee|joint)", "(?:deep )?inside {D}joint(?: line)?",
            "in {D}joint",
            "menisc(?:us|i)",
        ],
        "inner_surface": [
            "(?:inner|inside|medial) surface", "on the surface", "pes anserin(?:e|us)",
            # the answer to "near the surface or deep inside?": "just under the skin"
            "(?<!outer side )(?<!outside )(?:near the surface|(?:just )?under the skin)",
            "anserine", "goose ?foot", "mcl", "medial (?:collateral )?ligament",
            "inner ligament",
        ],
        "medial": [
            "inner side", "inside (?:edge|part|bit|side)", "inner (?:edge|part|bit|aspect)",
            "medial (?:side|aspect)", "medial(?! joint)", "interior (?:side|part|edge)",
            "inner(?! (?:thigh|thighs|peace|self|city|circle|soles?|tube|ear))",
            "(?<!run )(?<!ran )(?<!running )(?<!train )(?<!stay )(?<!stayed )"
            "inside(?! (?:on|at|the (?:house|gym)|today|more|instead))",
            "insides(?= of {D}(?:(?:left|right|both|bad) )?knees?)",
            # the side of the knee that faces the other leg
            "(?:faces|facing|towards?|closest to|nearest) (?:my |the )?other (?:leg|knee)",
            # Hindi "andar ki side" / "andar wali" (the inner side)
            "andar (?:ki|ke|wali|wala|waali|waala) ?(?:side|taraf)?",
            # dictated: "sore on the in side"
            "(?<=the )in side",
            # Spanish, Portuguese, French, German: "por dentro", "innen", "à l'intérieur"
            "por dentro", "(?<=\\bla )parte de dentro", "innen(?:seite)?", "[àa] l'int[ée]rieur",
        ],
        "kneecap": [
            "(?:under|around|behind|beneath|below|above|over|on|round) {D}knee ?caps?",
            "knee ?caps?", "patell(?:a|ar|ar tendon)",
        ],
        "front": [
            "front(?= of {D}{S}?knees?\\b)",
            "(?<=(?:at|on|in) the )front(?! (?:door|row|garden|foot|of (?!{D}{S}?knee)))",
            "anterior",
        ],
        "outer": [
            "outer side", "outer (?:edge|part|bit)", "outer(?! (?:thigh|space))",
            "lateral(?! (?:band|walks?|lunges?|raises?))",
            # not "the outside of my shoe is worn"
            "(?<=the )outside(?! of (?:my |the |his |her )?(?:shoes?|trainers?|sole|heel|feet|foot"
            "|house|gym))",
            "outside(?= (?:of {D}{S}?knee|edge|part|bit))", "it band", "itb", "iliotibial",
            "(?:faces|facing|pointing) away from (?:my |the )?other (?:leg|knee)",
            # French and Spanish speakers: "exterior side", "the exterior of the knee"
            "exterior(?! (?:wall|door|paint))",
            # Hindi "bahar ki side" (the outer side)
            "bahar (?:ki|ke|wali|wala|waali|waala) ?(?:side|taraf)?",
            # dictated: "on the out side"
            "(?<=the )out side",
        ],
        # A side word between the determiner and "knee" belongs to ``side``: "behind my
        # left knee" is location "behind" + side "left" (spans never overlap).
        "back": [
            "back of {D}{A}knees?", "behind {D}{A}knees?", "back of {D}{A}legs?", "posterior",
            "back(?= of {D}{S}(?:knees?|legs?)\\b)", "behind(?= {D}{S}knees?\\b)",
            "(?<=at the )back(?! of (?!{D}{S}?knee))", "(?<=in the )back(?! of (?!{D}{S}?knee))",
            "(?<=round the )back", "(?<=around the )back", "(?:knee|leg) crease",
            "back ?side(?= of {D}{S}(?:knees?|legs?)\\b)",
            # "at the rear of the knee, in the hollow behind it"
            "rear of {D}{A}knees?", "(?<=the )hollow (?:behind|at the back)",
            # "behind, in the fold"; Spanish "detrás de la rodilla"
            "(?<=in the )fold\\b(?![- ](?:out|up|down|of (?:the )?(?:arm|elbow|hip|groin)))",
            "detr[aá]s de la rodilla",
        ],
    },
    "onset": {
        "gradual": [
            "gradual(?:ly)?", "(?<!run )(?<!ran )(?<!running )(?<!jog )slowly",
            "built up(?: over (?:a few |several |many |the (?:last|past) few )?"
            "(?:weeks|months))?",
            "building up", "crept (?:up|in)", "creeping (?:up|in)", "over time",
            "(?:sneaked|sneaking|snuck|sneaks) up",
            "bit by bit", "little by little", "progressively",
            # a clinician's note: "insidious onset"
            "insidious(?:ly)?(?: onset)?",
            "c(?:a|o)me on slow", "c(?:a|o)me up over (?:the )?(?:days|weeks)",
            # a bare "slow" answering how it came on ("slow, 3wk"), not "slow runs"
            "^slow(?=\\s*(?:$|[,.;!]))",
        ],
        "sudden": [
            # not a warning sign said with "suddenly": "it suddenly buckles / gives way"
            "all of a sudden", "sudden(?:ly)?(?! (?:buckles?|buckled|gives? (?:way|out)|gave"
            " (?:way|out)|locks?|locked|catches|caught|clicks?|clicked|goes|went|slips?))",
            "out of nowhere", "out of the blue",
            "all at once", "instantly",
            "(?<!settles )(?<!settled )(?<!settling )(?<!goes )(?<!went )(?<!gone )(?<!eases )"
            "(?<!eased )(?<!better )(?<!fine )(?<!clears )(?<!calms down )overnight",
            # It began at one moment: "hurt it while jumping down", "cut a corner and hurt it"
            "hurt(?= (?:my (?:\\w+ )?knee |it )?(?:\\w+ ){0,3}(?:while|when|as) (?:i was )?"
            "(?:jumping|landing|turning|cutting|twisting|stepping|sprinting|pivoting))",
            "cut a corner(?= (?:\\w+ ){0,4}(?:and )?hurt)",
            # It began at one particular run: "since a long trail run ten days ago".
            "(?:since|started (?:on|during|after)|began (?:on|during|after)) (?:a|my|one|that"
            "|the|last (?:week's|weekend's|sunday's|saturday's)) (?:(?:long|hard|fast|trail"
            "|hill|hilly|downhill|big|first) ){0,2}(?:run|race|marathon|half marathon"
            "|parkrun|session|workout|10k|half)\\b",
        ],
    },
    "injury": {
        "none": [
            "no (?:real |actual |specific |particular |obvious )?"
            "(?:injury|injuries|trauma|accident|incident|falls?|twists?|knocks?)",
            # a list too: "never rolled or twisted it", "didn't fall or twist it"
            "(?:didn't|didnt|did not|never|haven't|havent|hasn't|hasnt|wasn't|wasnt|didnae|dinnae"
            "|havenae|hasnae|wasnae) " + _HARM_VERB + "(?:(?:,| or| nor|, or) " + _HARM_VERB + ")*",
            "not injured", "wasn't an injury",
            "without (?:an |any )?(?:real |actual |specific |particular |obvious )?"
            "(?:injury|injuries|trauma|accident|incident|falls?|twists?|knocks?)",
            "nothing (?:in particular |particular |specific |obvious |really )?happened",
            "(?:didn't|didnt|did not|never|haven't|havent|hadn't|hadnt) (?:have|had|take|took"
            "|get|got|suffer|suffered) (?:a|an|any) (?:injury|fall|knock|blow|twist|accident)",
            "(?:no|not an?|not from an?|wasn't from an?|wasn't due to an?) "
            "(?:specific |particular )?(?:injury|incident|event)",
            # Hindi: "twist kabhi nahi hua", "twist ya fall kuch nahi hua"
            "(?:injury|chot|twist|fall|girna|gira|giri)(?: (?:ya|aur|or) (?:injury|chot|twist"
            "|fall|girna))? (?:kabhi |kuch |koi )?nahi (?:hua|hui|lagi|laga|thi|tha)",
        ],
        "twist": [
            # not "numbers twisted: 58, not 85"
            "(?<!numbers )(?<!digits )twist(?:ed|ing)?(?! (?:the |my )?(?:numbers|digits))",
            "pivot(?:ed|ing)", "rolled {D}(?:ankle|knee)",
            "landed (?:badly|awkwardly|wrong|funny|awkward)",
        ],
        "fall": [
            # not the season: "training for a fall marathon"; not the hills: "a fell run"
            "fell(?! (?:run|runs|running|race|races|runner|runners|shoes|series)\\b)", "fallen",
            # typed "fel" / "fll" alone or after "I" ("i fel"), not "I fel fine"
            "(?:(?<=^)|(?<=i ))(?:fel|fll|fwll)(?! (?:fine|ok|okay|good|better|great|bad|like"
            "|it|that|pain|sore|so|a bit))",
            # "tipped and fel onto it": a typed fell before where they landed
            "(?:fel|fll|fwll)(?= (?:onto|on to|on|over|off|down|out of)\\b)",
            "(?:a|bad|nasty) fall(?! (?:marathon|half|race|season|10k|5k|ultra"
            "|semester|term|training|block|series|classic|meet|league|program|plan)\\b)",
            "tripped", "slipped",
            "trip(?= (?:over|on) (?:a|the|some)\\b)",
            "went down (?:hard|heavily|badly|onto|on to)",
            "went down(?= on (?:my|the) (?:\\w+ )?knee)",
            # "went down on a wet boardwalk", "went down on the ice"
            "went down(?= on (?:a|an|the|some) (?:\\w+ ){0,2}(?:boardwalk|path|pavement|road|trail"
            "|track|ice|ground|floor|rocks?|steps|stairs|grass|mud|court|pitch|kerb|curb)\\b"
            "(?! runs?| races?))",
            "caught my (?:toe|foot)",
            "went flying", "(?:took|had) a (?:\\w+ )?tumble", "tumbled",
            "fall(?:ing)? (?:over|down|off|on (?:the )?(?:ice|ground|road|pavement|track"
            "|stairs|trail|rocks?|my knee|it))", "came off {D}bike",
        ],
        "pop": [
            # "a pop in my knee", "something popped"; not "pop in to the shop", "pop out
            # for a run", "popped over to see the physio".
            "pop(?:ped|ping)?(?! (?:a|an|some|by|round|over|along|down|up|off|back|to|into"
            "|in|out|on|for|across|music|songs?|stars?|quiz|tarts?|culture|bands?|concerts?"
            "|art)\\b(?! (?:{D}|of {D})(?:(?:left|right|bad) )?(?:knee|knees|kneecap|leg"
            "|joint)\\b| of (?:place|joint)\\b| in(?:to)? place\\b))",
            "snap(?:ped)?", "clunk(?:ed)?",
        ],
        "blow": [
            "hit(?= (?:it|my|the|something|against|by)\\b)"
            "(?! (?:the|a) (?:wall|road|trails?|track|gym|pb|target)\\b)"
            "(?! (?:the|a) (?:wrong )?(?:key|button|number|letter|send)\\b)",  # typing
            "(?:got|was|been) hit", "collided", "collision", "crashed into", "bumped into",
            "(?<=a )knick\\b", "(?<=a )nock\\b",  # "a knock" typed with a slip
            "banged", "bashed", "knocked", "whacked", "kicked", "smashed", "tackled",
            "smacked", "slammed", "thumped", "walloped", "clattered", "(?:ploughed|plowed) into",
            "went (?:knee[- ]first |straight |head ?first )into",
            "(?:ran|run|running) (?:straight )?into (?:a|an|the|some) (?:bollard|post|pole"
            "|lamp ?post|car|bike|cyclist|wall|bench|gate|fence|kerb|curb|tree|sign|bin|table"
            "|door|dog|trolley|barrier|railing|rock)",
            "took a (?:knock|blow|hit)", "clipped",
            # "after a knock to my knee": the event noun, not "a knock at the door".
            "(?:(?<=a )|(?<=the )|(?<=that )|(?<=nasty )|(?<=bad )|(?<=hard )|(?<=big ))"
            "(?:knock|bang|whack)(?! (?:at|on) (?:the |my )?door)(?!-on| on effect)",
            "(?:(?<=a )|(?<=the )|(?<=nasty )|(?<=bad )|(?<=hard ))blow"
            "(?= (?:to|on) {D}(?:(?:left|right|bad|outer|inner) )?(?:knee|leg|shin|it)\\b)",
        ],
    },
    "symptom": {
        # Warning signs (locking, night pain, fever, calf, chest, numb foot, ...) are found
        # by the red-flag scanner (red_flag_scan.py, data/red_flag_phrases.yml), which runs
        # on every message; only the symptoms the triage answers use are extracted here.
        # Swelling of another body part is not knee swelling: see _OTHER_PART_AFTER and
        # the CONTEXT_VETO entry below.
        "swelling": [
            "(?:swelling|swollen|swell(?:s|ed)?|puffy|puff(?:s|ed|ing)? up|fluid|effusion)"
            + _OTHER_PART_AFTER,
            "water on the knee", "(?:fills|filled|filling) up",
            # "it is thick since then" (Dutch, German "dick"): the knee has swollen
            "(?:(?<=it )|(?<=it')|(?<=its )|(?<=ee ))(?:is|s|'s|got|went|has gone|looks?|looked)"
            " (?:all |really |very |so |a bit |quite )?(?:thick|thicker|fatter)\\b",
        ],
        "giving_way": [
            # not to traffic: "I had to give way to a matatu / the cyclist"
            "(?:giv(?:e|es|ing|en)|gave) way(?! to (?:a|an|the|traffic|cars?|cyclists?|bikes?"
            "|buses?|runners?|walkers?|people|others?|pedestrians?|matatus?)\\b)",
            "giv(?:es|ing|en) out", "gave out",
            "buckl(?:e|es|ed|ing)", "unstable", "instability",
            # "goes from under me", "folds under me", "keeps slipping out when I turn"
            "(?:go|goes|went|going|gone) (?:out )?from under me",
            "(?:fold|folds|folded|folding) (?:under|up)",
            "(?:slip|slips|slipping|slipped) out(?! (?:of (?:the )?(?:house|door|bed|work)"
            "|for|to|early))",
            "(?:give|gives|gave|giving) in\\b(?! (?:to|and))", "(?:cave|caves|caved|caving) in",
            # "sometimes it just goes, like it isn't there"; "it went on me"
            "like (?:it|the knee|my knee|the leg|my leg)(?:'s| is|s)?"
            " (?:not|isn'?t|wasn'?t|was not) there", "(?:goes|went|gone|going) on me",
            # "for half a second the knee is not there and I drop a little, like missing a step"
            "(?:the|my) knee (?:is|was|isn'?t|wasn'?t) not there", "like missing a step",
            # non-native: "my knee suddenly go weak and bend"
            "(?:go|goes|went|going) (?:weak|wobbly) and (?:bend|bends|bent|buckle|buckles|fold)",
            # "every so often it just disnae hold me"; "it can't be trusted, it's let me down"
            "(?:(?<=it )|(?<=knee )|(?<=leg )|(?<=just ))"
            "(?:doesn'?t|does not|disnae|doesnae|didn'?t|did not|dinnae) hold(?: me)?\\b"
            "(?! back| on| up| it| still)",
            "(?:(?<=it )|(?<=knee )|(?<=leg )|(?<=just ))switch(?:es|ed|ing)? off",
            "(?:can'?t|cannot|can not) be trusted",
            "(?:(?<=it )|(?<=it's )|(?<=its )|(?<=knee )|(?<=leg ))(?:has |had )?"
            "(?:let|lets|letting) me down",
        ],
        "limp": ["limp(?:s|ing|ed)?", "hobbl(?:e|ing|ed)", "waddl(?:e|es|ing|ed)",
                 "gimp(?:s|ing|ed)"],
        "stiffness": ["stiff(?:ness)?"],
    },
    "pain_trigger": {
        "stairs": ["(?:down|up)?stairs", "staircase", "steps", "(?<=the )stair\\b"],
        # not where a fall happened ("went flying on a rocky descent"): CONTEXT_VETO
        "downhill": ["downhills?", "down ?hills?", "descents?", "descending",
                     "(?:coming|going|running|run|runs) down (?:the |a )?hills?",
                     "down (?:the |a )?braes?\\b"],  # Scots: a brae is a hill
        "uphill": [
            "uphills?", "up ?hills?", "hills?,? (?:going|when going|running|on the way)"
            " up", "(?:going|running|walking|coming) up (?:the |a )?hills?",
            "climbs(?! (?:up )?(?:the |a |flights? of |some )?(?:stairs|steps))",
            "climbing(?! (?:up )?(?:the |a |flights? of |some )?(?:stairs|steps))",
        ],
        "during_runs": [
            "during {D}(?:(?:long|longer|short|easy|hard|fast) )?(?:runs?|running)",
            "(?:while|whilst|when) (?:i'm |im |i am )?(?:actually |out |properly )?running",
            "when i run", "while i run", "during(?= and after (?:my |a |the )?runs?)",
            "on (?:my |the )?runs", "mid[- ]?run",
            "in the middle of (?:a|my) run",
        ],
        "after_runs": [
            # "after my long run", "after track sessions", "after intervals", "after parkrun"
            # Scots "efter a run"
            "(?:after|efter) (?:(?:my|a|the|each|every|any|those|these|some|all|hard|tough|big"
            "|longer|harder|faster) )?(?:(?:long|short|easy|hard|fast|tempo|track|hill|speed"
            "|interval|sunday|saturday|weekend|morning|evening|club|trail|race) ){0,2}"
            "(?:runs?|workouts?|intervals|reps|races|parkruns?|park runs?"
            "|tempos?|speed ?work|track work|efforts|jogs?)",
            # a session is a run only with a running word: not "icing after every session"
            "after (?:(?:my|a|the|each|every|any|those|these|some|all) )?(?:(?:hard|long|big"
            "|quality) )?(?:track|tempo|interval|speed|hill|running|run|club|fast|long|hard"
            "|quality|rep) sessions?",
            "after (?:a |the |my )?race\\b(?! (?:pace|day|week|number|bib|entry|fee|kit))",
            "after (?:(?:my|a|the|each|every) )?(?:xc |cross country |running |track )?"
            "(?:practice|training)\\b", "after (?:the )?running\\b",
            "after (?:i|we) (?:run|ran|finish|finished|stop|stopped)\\b",
            "after running",
            "post[- ]?runs?", "afterwards", "the day after",
            "(?:after|once|when) i(?:'?ve| have)? (?:finish(?:ed)?|stop(?:ped)?(?: running)?"
            "|get (?:back|home|in))", "after i'm done",
        ],
        "squatting": ["squat(?:s|ting)?(?! test)", "crouch(?:ing)?", "kneel(?:ing)?"],
        "sitting": [
            # not the kneecap's place: "the kneecap is sitting off to the side"
            "sitting(?! (?:way |right |a bit |slightly |all )?(?:off|out|to the side|sideways"
            "|wrong|funny|crooked|higher|lower|in the wrong|still))",
            # not "talking into my phone because im driving home"
            "sat (?:down|for)", "long drives?", "(?:when|while|after|during) (?:i'?m )?driving",
            "driving (?:for|a long)",
            "sit(?:ting)?(?= (?:at {D}desk|for (?:long|a while|ages|hours)))",
        ],
        "morning": [
            "(?<=in the )morning", "mornings", "first thing(?: in the morning)?",
            # not "still aching when I get up the next morning": that is not settling
            "when i (?:wake|get) up(?! (?:the )?(?:next|following) (?:morning|day))",
            "getting out of bed",
        ],
    },
    "treatment": {
        "rest": [
            # not "fine when I'm resting", "even while resting": the knee at rest
            "(?<!at )(?<!the )(?<!when )(?<!while )(?<!whilst )(?<!when i'm )(?<!when im )"
            "(?<!when i am )(?<!down )(?<!lying )(?<!sitting )(?<!in bed )"
            "rest(?:ed|ing)?(?! of\\b)", "time off",
            # "took a week off", "a day or two off"; not "a day off work", "days off and on"
            "(?:(?:a few|a couple of|couple of|some|several|a|an|one|two|three|four|five|\\d+"
            "|a full|a whole|the) )?(?:days?|weeks?|fortnight|weekend)(?: or (?:two|three|so))?"
            " (?:completely |totally |fully |right )?(?:off|rest|of rest)"
            "(?! (?:and on|work|school)\\b)",
            "(?<!once i've )(?<!once ive )(?<!once i )(?<!when i've )(?<!after i've )"
            "(?<!when i )(?<!after i )stopped running",
            "break from running",
        ],
        # not the ice they fell on ("black ice", "on the ice", "icy path"), nor a foot
        # "cold like ice" / "like a block of ice"
        "ice": ["(?<!black )(?<!on the )(?<!on some )(?<!on )(?<!patch of )(?<!like )"
                "(?<!as )(?<!block of )(?<!cold like )"
                "ic(?:e|ed|ing)(?! cream| cube| block)",
                "ice packs?", "cold packs?", "frozen peas"],
        "exercises": [
            "exercises", "strengthening", "strength (?:work|training|exercises)",
            "rehab(?: exercises)?", "physio exercises", "gym work",
        ],
        # not a stretch of the route ("the downhill stretches", "a long stretch of road")
        "stretching": [
            "(?<!downhill )(?<!uphill )(?<!hilly )(?<!steep )(?<!flat )(?<!long )(?<!last )"
            "(?<!final )(?<!short )(?<!rough )(?<!was )(?<!is )(?<!looks )(?<!skin )"
            "stretch(?:ing|es|ed)?(?! of\\b| tight| taut| shiny)",
            "yoga",
        ],
        "foam_rolling": ["foam roll(?:ing|er|ed)?(?:'s)?", "roller"],
        "brace": [
            "braces?", "knee (?:supports?|sleeves?|straps?)", "(?:compression|neoprene) sleeves?",
            "sleeves?",
            "patell(?:a|ar) strap", "knee bands?",
        ],
        "taping": ["tap(?:e|ed|ing)(?! measure)", "kt tape", "kinesio(?: tape)?", "strapping"],
        "new_shoes": [
            "new (?:running )?(?:shoes|trainers|runners|sneakers|pair of (?:shoes|trainers))",
            "(?:changed|switched) (?:my )?(?:shoes|trainers)", "different (?:shoes|trainers)",
        ],
        "physio": [
            # not the writer's job: "Physio here, my own knee", "Physio, 38, own knee"
            "physio(?:therapist|therapy)?(?!,? here\\b|, \\d)", "fysio(?:therapeut)?",
            "fisio(?:terapeuta)?",
            "physical therap(?:y|ist)", "sports therapist",
            "osteo(?:path)?", "chiro(?:practor)?",
        ],
        "painkillers": [
            "pain ?killers?", "ibuprofen", "paracetamol", "acetaminophen", "advil", "tylenol",
            "nurofen", "naproxen", "aleve", "anti-?inflammator(?:y|ies)", "nsaids?",
            "voltaren",
        ],
        "reduced_mileage": [
            "cut(?:ting)? (?:back|down)",
            "cut(?:ting)? (?:my |the )?(?:mileage|miles|distance|kms?|volume|running)",
            "reduced (?:my )?(?:mileage|miles|distance|volume"
            "|kms?|running)", "(?:ran|running) less", "less running", "backed off",
            "dropped (?:my )?mileage", "fewer miles", "lower mileage", "shorter runs",
        ],
        "orthotics": ["orthotics?", "orthoses", "insoles?", "inserts", "arch supports?"],
        "massage": ["(?:sports )?massages?", "massaged"],
    },
    "outcome": {
        "no_change": [
            "(?:didn't|didnt|did not|doesn't|doesnt|hasn't|hasnt|haven't|havent|not) "
            "(?:really |much |seem to |seemed to )?(?:help(?:ed|ing)?|work(?:ed)?"
            "|do (?:anything|much))",
            "made no difference", "(?:no|zero) (?:real )?(?:difference|change|improvement)",
            "(?:didn't|didnt|did not) make (?:any|much|a) difference",
            "not much (?:difference|change)", "nothing (?:has |'s )?changed", "did nothing",
            "(?:still )?the same as before", "no better",
            "(?:it's|its|it is|still|literally|just|exactly|pretty much) (?:literally |just )?"
            "the same\\b(?! (?:distance|mileage|as (?:always|usual)|amount|pace|route))",
            "(?:hasn't|hasnt|has not|haven't|havent|didn't|didnt|did not) (?:made|make) "
            "(?:any|much|a) (?:difference|change)",
            "(?:didn't|didnt|did not|doesn't|doesnt|hasn't|hasnt) change (?:anything|a thing|much)",
            "(?:haven't|havent|have not|hasn't|hasnt|has not) changed (?:anything|a thing|much)",
            "(?:haven't|havent|have not|hasn't|hasnt|didn't|didnt) done (?:much|anything|a lot)",
            "(?:is|it's|its|it is|but|and) (?:just )?not getting (?:any )?better",
            "(?:hasn't|hasnt|has not|isn't|isnt) (?:got|gotten|getting) (?:any )?better",
            # "made bugger all difference", "sod all change"
            "(?:made|makes|making) (?:bugger|sod|feck|fuck|naff|diddly|jack|fa|f all|sweet)"
            "(?: all| squat)? (?:difference|change)",
            "still (?:the )?(?:pain is |it is |it's )?(?:the )?same(?: only)?\\b",
            # after a break: "had 2 weeks off and it came straight back"
            "(?<!but )(?<!but it )(?:came|comes|coming) (?:straight|right) back",
            # "painkillers, they don't touch it"
            "(?:don'?t|doesn'?t|didn'?t|do not|does not|did not) (?:even |really )?touch it",
            # "stretching daily as per YouTube, but no use, same pain"
            "(?:(?<=but )|(?<=^)|(?<=, ))(?:no use|of no use|no good|useless)\\b",
            "same pain",
        ],
        "helped": [
            "helped", "helps", "helping", "did help",
            "(?<=\\w )help(?= (?:a bit|a little|a lot|some))", "(?<=(?:s|y) )help$",
            "made (?:it|things) (?:a (?:bit|lot|little) |much )?better", "improved",
            "eased (?:it|off|the pain)", "relieved", "(?:it|that|this|they) worked",
            "(?:a (?:bit|lot|little) |much |slightly )better",
            "(?:made|makes) (?:it|things|the pain|my knee) feel "
            "(?:a (?:bit|lot|little) |much )?better",
            "feels? (?:a (?:bit|lot|little) |much )?better",
            "(?:seems?|seemed) to (?:be )?(?:help|helping|work|working)", "on the right track",
            "takes? the edge off", "took the edge off",
            "(?:brings?|brought|takes?|took) (?:it|the (?:swelling|puffiness|pain|ache)) down",
            "calms? (?:it|the pain|things) down", "calmed (?:it|the pain|things) down",
            "(?<=\\w )helps? (?:me|a (?:fair |good )?bit|for (?:a few|some) hours)",
            "(?:it is|it's|its) better", "(?:it )?makes? (?:it )?better",
            "(?<=\\w )helps?$",
        ],
        "worse": [
            "made (?:it|things|the pain) (?:a (?:bit|lot|little) |much |even |way )?worse",
            # "made my right knee worse": the side word stays free for the side
            "made my(?= (?:(?:left|right) )?(?:knees?|kneecap)(?: pain)? (?:a (?:bit|lot|little) "
            "|much |even |way )?worse)",
            "(?:got|getting|gets|became|went|feels|it's|its|was) (?:a (?:bit|lot|little) "
            "|much |even |way )?worse(?! (?:on|when|going|after|during|at|with|than|if|in"
            # how the pain came on, not what a treatment did: "it got worse run by run"
            "|run by run|week by week|day by day|over time|and worse|gradually|bit by bit"
            "|each run|every run|with each|with every)\\b)",
            "^worse", "aggravat(?:ed|es)", "flared (?:it )?up", "made it hurt more",
            "(?:been|got|gotten|is|was) worse since",
            "(?:hurt|hurts|hurting|ached|aches) more"
            "(?! (?:on|when|going|after|during|at|with|than|if|in)\\b)",
        ],
    },
    "self_test": {
        "hip": [
            "glute (?:squeeze|test)", "hip test", "squeez(?:e|ed|ing) {D}glutes?",
            "clench(?:ed|ing)? {D}glutes?",
        ],
        "foot": [
            "toe grip", "foot test", "toe test", "grip(?:ped|ping)? (?:the ground )?with {D}toes",
            "grip(?:ped|ping)? the ground",
        ],
    },
}


#: A phrase is dropped when the text just before it matches: "I want a real physio"
#: asks for a person, it does not report a treatment that was tried.
CONTEXT_VETO_RX: dict[tuple[str, str], str] = {
    # "my calf is puffy": another body part earlier in the clause, and no knee after it.
    ("symptom", "swelling"): (
        rf"\b{_OTHER_PARTS}(?:'s)?\b(?:(?!\bknees?\b|\bknee ?caps?\b|\bjoint\b|\bbut\b"
        r"|[.;!?])[^\n])*$"
    ),
    # where a fall or trip happened is not what brings the pain on
    ("pain_trigger", "downhill"): (
        r"\b(?:fell|fall|falling|went flying|tripped|trip|slipped|crashed|stacked it|wiped out"
        r"|went over|landed)\b[^.,;!?]{0,20}$"
    ),
    ("treatment", "physio"): (
        r"\b(?:talk|speak|connect|book|want|need|like|prefer|rather|get|put|refer|than"
        r"|recommend)\b[^.,;!?]{0,25}$"
        r"|\b(?:i'?m|i am|as|work as) an? (?:\w+ )?$"  # "I'm a physio myself": the writer's job
    ),
}
