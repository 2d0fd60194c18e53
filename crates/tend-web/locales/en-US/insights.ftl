# Insights: a member's own trends, private to them.
nav-insights = Insights
insights-title = Your insights
insights-private = Only you see this page. It comes from your own reflections, and nothing here is shared with your circles.
insights-empty = Nothing here yet. After a session, a short reflection on how you feel — right after and in the days that follow — shows up here as your own trends, so you can notice what helps you.
insights-summary-sessions = { $count ->
    [one] You have reflected on one session.
   *[other] You have reflected on { $count } sessions.
}
insights-summary-best = Right after { $best } of them, you felt good or very good.
insights-summary-drop = Drop came after { $drop } of them.
insights-summary-no-drop = You have not noted drop so far.
insights-drop-is-common = Drop is common, for everyone in a session, and it is never a failing.
insights-what-helps = What helps you when you drop
insights-mood-heading = Mood right after sessions
insights-mood-title = Your mood right after each session, oldest first
insights-mood-scale = Mood goes from 1 (very low) to 5 (very good).
insights-mood-caption = Mood right after each session
insights-date = Date
insights-mood = Mood
insights-mood-value = { $mood } · { $words }
insights-mood-1 = very low
insights-mood-2 = low
insights-mood-3 = okay
insights-mood-4 = good
insights-mood-5 = very good
insights-window-heading = Through the days after
insights-window-title = Your average mood right after sessions and at each follow-up
insights-window-caption = Average mood through the days after a session
insights-right-after = Right after
insights-hours-after = { $count ->
    [one] One hour after
   *[other] { $count } hours after
}
insights-average-of-five = { $average } of 5
insights-when = When
insights-average-mood = Average mood
insights-reflections = Reflections
insights-steps-heading = What was there when you felt best
insights-steps-title = Steps done in the sessions after which you felt good or very good
insights-steps-caption = Steps done when you felt best
insights-of = { $part } of { $whole }
insights-step = Step
insights-in-best-sessions = Sessions you felt best after
insights-in-sessions = All sessions with this step
