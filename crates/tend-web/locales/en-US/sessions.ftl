# Sessions: plan, aftercare, reflections and follow-ups.
session-not-now = That cannot happen at this point of the session.
session-start-invalid = Please choose "plan" or "aftercare".
session-participants = Please choose people from this circle, including you.
readiness-energy = Please choose your energy from 1 to 5.
readiness-mood = Please choose your mood from 1 to 5.
readiness-off-limits = Please keep this to 500 characters.
reflection-mood = Please choose a mood from 1 to 5.
reflection-energy = Please choose an energy from 1 to 5, or leave it out.
reflection-feelings = Please choose feelings from the list.
reflection-too-long = Please keep this to 2,000 characters.
follow-up-answer = Please choose fine, could use contact, or need support.
follow-up-not-yet = This follow-up has not come yet.
follow-up-answered = You have already answered this follow-up. Thank you.
