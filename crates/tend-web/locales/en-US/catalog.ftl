## Tend — the aftercare catalog, English.
# Gentle, plain, role- and gender-neutral words; never graphic, never medical advice.
# Labels of "given" items read well after both "I’d like to receive…" and "I’d be glad to give…".

## Categories

catalog-category-closeness = Closeness
catalog-category-closeness-intro = Touch and nearness that can help you feel held and connected again.

catalog-category-words = Words
catalog-category-words-intro = What you’d like to hear, and to say, once things are quiet.

catalog-category-comfort-and-care = Comfort and care
catalog-category-comfort-and-care-intro = Small, practical kindnesses that help body and mind settle.

catalog-category-calm = Calm
catalog-category-calm-intro = Gentle ways to slow down and let the moment soften, at your own pace.

catalog-category-space = Space
catalog-category-space-intro = Room to breathe, for when you need a little distance to come back to yourself.

catalog-category-follow-up = Follow-up
catalog-category-follow-up-intro = Care in the hours and days after, when feelings can still surface.

## Items: Closeness

catalog-item-cuddling = Cuddling or spooning
catalog-item-cuddling-description = Being held close, for as long as feels good.
catalog-item-hugging = Hugging
catalog-item-hugging-description = A long, steady hug to land back in the moment.
catalog-item-kissing = Kissing
catalog-item-kissing-description = Soft, unhurried, tender kisses.
catalog-item-holding-hands = Holding hands
catalog-item-holding-hands-description = Fingers laced together, simple and steady.
catalog-item-lying-together-quietly = Lying together quietly
catalog-item-lying-together-quietly-description = Resting side by side, with nothing that needs saying.
catalog-item-resting-hand = A hand resting gently
catalog-item-resting-hand-description = A calm hand on a back, shoulder or arm, just to say “I’m here”.
catalog-item-skin-to-skin = Skin to skin
catalog-item-skin-to-skin-description = Resting close with bare skin touching, calm and warm.
catalog-item-stroking-hair = Stroking hair
catalog-item-stroking-hair-description = Slow, soothing strokes through the hair.
catalog-item-massage = Massage
catalog-item-massage-description = Gentle hands easing tired shoulders, back, hands or feet.
catalog-item-napping-together = Napping together
catalog-item-napping-together-description = Dozing off close to each other.

## Items: Words

catalog-item-affirmations = Affirmations
catalog-item-affirmations-description = Warm words like “you were wonderful”, said and meant.
catalog-item-reassurance-we-are-okay = Reassurance that we’re okay
catalog-item-reassurance-we-are-okay-description = Hearing, plainly, that all is well between us.
catalog-item-affectionate-words = “I love you” or affectionate words
catalog-item-affectionate-words-description = Tender words that say how much someone matters.
catalog-item-specific-praise = Specific praise
catalog-item-specific-praise-description = Noticing one particular thing that was done, and how well.
catalog-item-gratitude = Gratitude
catalog-item-gratitude-description = A simple, heartfelt thank you for the trust and the time.
catalog-item-talking-about-what-we-enjoyed = Talking about what we enjoyed
catalog-item-talking-about-what-we-enjoyed-description = Sharing the moments that felt good, while they’re fresh.
catalog-item-pet-names = Pet names or private nicknames
catalog-item-pet-names-description = The names that are yours alone, said with fondness.
catalog-item-talking-about-what-felt-hard = Talking about anything that felt hard
catalog-item-talking-about-what-felt-hard-description = Room to name what was difficult, without blame.

## Items: Comfort and care

catalog-item-water-or-a-drink = Water or a drink
catalog-item-water-or-a-drink-description = Something to sip, brought over or within reach.
catalog-item-blanket-or-warmth = A blanket or warmth
catalog-item-blanket-or-warmth-description = Being wrapped up snug until the shivers pass.
catalog-item-snack-or-meal-together = A snack or meal together
catalog-item-snack-or-meal-together-description = Something to eat side by side, to get your energy back.
catalog-item-cooling-down = Cooling down
catalog-item-cooling-down-description = A cool cloth, a fan or an open window to help cool off.
catalog-item-tending-marks = Tending marks or sore spots
catalog-item-tending-marks-description = Looking after any marks or sore spots together, gently.
catalog-item-shower-or-bath-together = A shower or bath together
catalog-item-shower-or-bath-together-description = Washing up and warming up side by side.
catalog-item-shower-or-bath-alone = A shower or bath alone
catalog-item-shower-or-bath-alone-description = Time to wash up alone, maybe with a bath drawn ready.
catalog-item-comfort-object = A comfort object
catalog-item-comfort-object-description = A favorite pillow, soft toy or hoodie, close at hand.
catalog-item-fresh-sheets = Fresh sheets
catalog-item-fresh-sheets-description = A clean, fresh bed to settle into.
catalog-item-help-getting-dressed = Help getting dressed
catalog-item-help-getting-dressed-description = A patient hand with clothes, when moving feels like a lot.

## Items: Calm

catalog-item-quiet-time = Quiet time
catalog-item-quiet-time-description = Resting somewhere calm, with nothing to do and nowhere to be.
catalog-item-sleep = Sleep
catalog-item-sleep-description = Drifting off whenever rest comes.
catalog-item-deep-breathing-together = Deep breathing together
catalog-item-deep-breathing-together-description = Slow breaths in rhythm, to settle back down.
catalog-item-our-songs = Our songs or music
catalog-item-our-songs-description = Familiar, soothing music playing softly.
catalog-item-soft-lighting = Soft lighting
catalog-item-soft-lighting-description = Dimmed lights or a lamp instead of anything bright.
catalog-item-something-light-to-watch = Something light to watch
catalog-item-something-light-to-watch-description = A favorite show or something silly, to ease back into the everyday.
catalog-item-grounding-together = Grounding together
catalog-item-grounding-together-description = Naming a few things you can see, hear and feel, to come back to the room.
catalog-item-walk-together = A walk together
catalog-item-walk-together-description = Fresh air and an easy stroll, side by side.

## Items: Space

catalog-item-time-alone = Time alone for a while
catalog-item-time-alone-description = A little while alone to settle, with a warm welcome back.
catalog-item-quiet-without-talking = Quiet without talking
catalog-item-quiet-without-talking-description = Staying close without needing to find words.
catalog-item-no-touch-for-a-bit = No touch for a bit
catalog-item-no-touch-for-a-bit-description = A pause from touch, with care still nearby.
catalog-item-nearby-not-hovering = Someone nearby, not hovering
catalog-item-nearby-not-hovering-description = Company within reach, like in the next room, without any fuss.
catalog-item-room-for-big-feelings = Room for big feelings
catalog-item-room-for-big-feelings-description = Tears, laughter or shaking welcomed, with no need to explain.
catalog-item-not-talking-about-it-yet = Not talking about it yet
catalog-item-not-talking-about-it-yet-description = Leaving the conversation for another day, until it feels right.
catalog-item-own-bed = Sleeping in separate beds
catalog-item-own-bed-description = A bed to oneself for the night, or heading home, with no hurt feelings.

## Items: Follow-up

catalog-item-message-later-that-day = A message later that day
catalog-item-message-later-that-day-description = A few kind words sent once you’re apart.
catalog-item-check-in-next-morning = A check-in next morning
catalog-item-check-in-next-morning-description = A gentle “how are you feeling today?”
catalog-item-affirmation-next-day = Words of affirmation the next day
catalog-item-affirmation-next-day-description = A reminder, a day later, of what was lovely and how much it meant.
catalog-item-check-in-in-2-3-days = A check-in in 2–3 days
catalog-item-check-in-in-2-3-days-description = Asking again after a few days, when feelings can shift.
catalog-item-call-or-voice-message = A call or voice message
catalog-item-call-or-voice-message-description = Hearing a familiar voice, while apart.
catalog-item-debrief-within-a-week = A debrief talk within a week
catalog-item-debrief-within-a-week-description = Sitting down together to talk it through: what to keep, what to change.
catalog-item-something-to-look-forward-to = Something to look forward to
catalog-item-something-to-look-forward-to-description = Planning a date or a cozy evening together soon.
