## Tend — circles: sharing with partners, under the reveal rules.

nav-circles = Circles
home-circles-link = Your circles

invite-unusable = This invite link has been used, has expired, or was withdrawn. Please ask for a new one.
invite-already-member = You are already in this circle.
invite-full = This circle already has 8 members, the most a circle can have.
sharing-section-invalid = There is no such section. Sections are answers, custom-items and the kinds of boundary.
sharing-share-invalid = Please choose nothing, matches or everything.
rule-circle-name-empty = Please give your circle a name.
rule-circle-name-too-long = Please keep the name to 60 characters or fewer.

circles-title = Your circles
circles-intro = A circle is you and the partners you share aftercare with: a couple, a throuple, a polycule, play partners. Each partner sees only what you choose to share, and only where it meets their own answers.
circles-none = You are not in a circle yet.
circles-new = Start a circle
circles-name = Name
circles-name-hint = Only the circle's members see it.
circles-create = Start circle
circles-member-count = { $count ->
    [one] 1 member
   *[other] { $count } members
}
circle-members = Members
circle-you = (you)
circle-locked = ready
circle-not-locked = still choosing
circle-common-ground = See common ground
circle-notice-locked = Your answers are locked for this circle.
circle-notice-shared = Your sharing choices are saved.
circle-notice-confirmed = Thank you. What you share stays as it is.
circle-confirm-heading = { $names } joined. Look at what you share with this circle
names-and = { $rest } and { $last }
circle-confirm-heading-someone = The circle's members changed. Look at what you share with this circle
circle-confirm-explain = Nothing you shared before, and no routine step that names you, reaches someone new until everyone says so.
circle-confirm-list = What you share now
circle-confirm = Keep what I share
circle-confirm-narrow = Change what I share first (for the whole circle)
circle-not-confirmed = sharing not confirmed yet
circle-lock-heading = Ready to share?
circle-lock-explain = When you lock, your answers count for this circle. Nothing of anyone's is shown until everyone has locked.
circle-blanket-warning = If nearly all your answers on one side are the same (such as "glad to" to almost everything), partners will see a gentle note saying so, so that answering everything alike cannot be used to learn someone's needs.
circle-locked-explain = Your answers are locked. You can still change them; partners will see that something changed, not what.
circle-waiting-others = Waiting for the others to lock.
circle-lock = Lock my answers
circle-unlock = Unlock
circle-sharing-heading = What you share
circle-sharing-explain = "Matches only" shows a partner your needs only where they offer to meet them. You can change this at any time; it takes effect at once.
circle-sharing-save = Save sharing
sharing-answers = Your answers
sharing-custom-items = Your own items
sharing-nothing = Nothing
sharing-matches = Matches only
sharing-everything = Everything, notes included
sharing-private = Keep private
sharing-share = Share with this circle
sharing-some-entries = Some, as ticked on your boundaries page
circle-invite-heading = Invite a partner
circle-invite-explain = An invite link works once and expires after 72 hours. Send it privately.
circle-invite-create = Make an invite link
circle-invite-revoke = Withdraw
invite-state-active = An invite link is waiting to be used.
invite-state-used = An invite link was used.
invite-state-revoked = An invite link was withdrawn.
invite-state-expired = An invite link expired.
circle-leave-heading = Leave this circle
circle-leave-explain = You can leave at any time, without a reason. Nobody is notified; what you shared is hidden at once.
circle-leave = Leave circle
invite-created-title = Your invite link
invite-created-explain = Send this link to one partner. It works once, for { $hours } hours.
invite-created-safe = It is shown only now. If it goes astray, withdraw it on the circle's page.
invite-back = Back to the circle
join-title = Join a circle
join-sign-in-first = Please sign in or create an account, then open this link again.
join-circle = You have been invited to join "{ $name }".
join-invited-by = { $name } invited you.
join-invited = A member invited you.
join-circle-size = { $count ->
    [one] The circle has 1 member.
   *[other] The circle has { $count } members.
}
join-explain = Joining shares nothing yet: you choose what to share, and nothing is shown until everyone has locked. You will see the others' names once you have joined.
join-confirm = Join this circle

ground-title = Common ground
ground-waiting = { $count ->
    [one] Waiting for 1 member to lock their answers.
   *[other] Waiting for { $count } members to lock their answers.
}
ground-unconfirmed = { $count ->
    [one] Waiting for 1 member to confirm what they share with everyone now in the circle.
   *[other] Waiting for { $count } members to confirm what they share with everyone now in the circle.
}
ground-not-yet = Common ground appears when everyone in the circle has locked, and has confirmed what they share since anyone new joined.
ground-intro = Here is where your answers meet. Only what the circle's sharing allows is shown, and each of you sees only your own side of it.
ground-boundaries = Boundaries your partners share
ground-offers = What your partners offer you
ground-offers-line = { $name } offers:
ground-needs = What you could give
ground-would-love = would love
ground-would-like = would like
ground-matrix = Who can give whom what
ground-matrix-item = Item
ground-matrix-to-you = ← offers you
ground-matrix-from-you = → you can give
ground-matrix-both = ↔ both ways
ground-matrix-none = —
ground-talk = Worth talking about
ground-favourites = Shared favorites
ground-differences = Differences worth a conversation
ground-tension-talk-quiet = talking and quiet
ground-tension-closeness-space = closeness and space
ground-tension-together-alone = together and alone
ground-blankets = Worth a gentle conversation
ground-blanket-give-glad-to = { $name } said "glad to" to almost everything they could give. Worth talking about what { $name } would really enjoy giving.
ground-blanket-give-maybe = { $name } said "maybe" to almost everything they could give. Worth talking about what feels right for { $name }.
ground-blanket-receive-love = { $name } said "love" to almost everything. Worth talking about what matters most to { $name }.
ground-blanket-receive-maybe = { $name } said "maybe" to almost everything. Worth talking about what { $name } is curious about.
ground-changed = { $name } has changed some answers since common ground was last revealed.
ground-everything = Everything { $name } shares
ground-none = Nothing here yet.

routine-step-what = A step is either an item from the catalog ("item") or words of your own ("text").
routine-step-text = Please use 1 to 200 characters on one line.
routine-step-id = This step id is not in the current routine, or appears twice.
routine-step-minutes = Please use 1 to 240 minutes, or leave it out.
routine-step-member = This is not a member of the circle.
routine-safewords = Please choose two different safewords of 1 to 40 characters.
routine-check-in = Check-ins come every 1 to 120 minutes, or not at all.
routine-follow-ups = Follow-ups come 1 to 168 hours after a session, at most 8 of them.
routine-review-sessions = Please use a number of sessions from 0 to 50 (0 for never by sessions).
routine-review-weeks = Please use a number of weeks from 0 to 52 (0 for never by time).
review-nothing-agreed = There is no agreed routine to review yet.
review-closed = This review is complete; its outcome is a proposal now.
review-too-many-suggestions = Please suggest at most 10 new steps at a time.

circle-routine = Our routine
routine-title = Our aftercare routine
routine-none-yet = You have not agreed a routine yet. Start from your common ground: propose the steps that would help each of you.
routine-version = Version { $version }
routine-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
routine-for = for
routine-from = from
routine-stop-word = Word to stop
routine-slow-word = Word to slow down or check in
routine-nonverbal = Non-verbal signal
routine-check-in-setting = Check-ins during a session
routine-none = none
routine-follow-ups-setting = Follow-ups after a session
routine-variant = For
routine-kinds = Kinds of session
routine-kind-none = none yet
routine-review-every = Reviews
routine-review-never = only when one of you starts one
routine-review-every-sessions = { $count ->
    [one] after every session
   *[other] every { $count } sessions
}
routine-review-every-weeks = { $count ->
    [one] every week
   *[other] every { $count } weeks
}
routine-review-sessions-label = Review after this many sessions
routine-review-weeks-label = …or after this many weeks
routine-review-hint = Whichever comes first. 0 means never by that measure; anyone can start a review at any time.
routine-propose = Propose a change
routine-proposals = Proposals
routine-proposal-by = Proposed by { $name }
proposal-state-open = Waiting for everyone's yes.
proposal-state-accepted = Agreed.
proposal-state-declined = Declined.
proposal-state-outdated = The routine changed since this was proposed; please propose it again.
proposal-whole = If everyone says yes, this becomes your routine. What would change is marked.
proposal-unchanged = This keeps the routine as it is.
proposal-mark-new = New
proposal-mark-removed = Removed
proposal-mark-moved = Moved (was step { $place })
proposal-mark-changed-step = Changed (was: { $before })
proposal-mark-changed-setting = Changed: { $from } → { $to }
routine-accept = Yes, let's do this
routine-decline = Not this one
routine-decline-note = A note, if you like (no reason needed)
routine-versions = Every version
routine-version-by = Version { $version }, proposed by
routine-compare-previous = compare with the one before
routine-review-heading = How is our routine working?
routine-review-explain = Every few sessions or weeks, each of you can say which steps to keep, change or drop, and suggest new ones. Wishes stay unnamed unless you choose otherwise.
routine-review-open = Continue the review
routine-review-start = Start a review
routine-edit-title = Propose a change
routine-edit-intro = Choose steps, order them and say who each is for and who offers it. Everyone in the circle says yes before it becomes your routine; adding care just for yourself needs nobody's yes.
routine-steps = Steps
routine-no-steps = No steps yet: add some from your common ground or in your own words.
routine-step-words = In your own words
routine-step-minutes-label = Minutes (optional)
routine-up = Move up
routine-down = Move down
routine-drag = Drag to move this step (or use Move up and Move down)
routine-moved = Moved to place { $place }.
routine-remove = Remove
routine-from-common-ground = From your common ground
routine-add-words = A step in your own words
routine-add = Add step
routine-settings = Safewords, signals and follow-ups
routine-check-in-label = Check in every … minutes during a session (optional)
routine-follow-ups-label = Follow-ups, hours after a session (for example 12, 24, 48, 72)
routine-send-proposal = Send proposal
routine-compare-title = What changed
routine-compare-versions = From version { $from } to version
routine-added = Added
routine-removed = Removed
routine-changed = Changed
routine-reordered = Some steps now come in a different order.
routine-side-by-side = Side by side
routine-per-person = For each person
routine-for-person = For { $name }
routine-for-everyone = For everyone
review-keeps = { $count ->
    [one] 1 would keep it
   *[other] { $count } would keep it
}
review-someone-would-change = someone would like to change or drop this
review-named-change = { $name } would like to change this
review-named-drop = { $name } would like to drop this
review-waiting = { $count ->
    [0] Everyone has answered.
    [one] Waiting for 1 answer.
   *[other] Waiting for { $count } answers.
}
review-results-later = { $count ->
    [one] Waiting for 1 answer. What everyone said shows once all have answered.
   *[other] Waiting for { $count } answers. What everyone said shows once all have answered.
}
review-verdict-keep = Keep
review-verdict-change = Change
review-verdict-drop = Drop
review-suggestions = New steps to suggest, one per line (optional)
review-named = Show my name beside my wishes
review-save = Save my answers
review-done = Everyone has answered. The outcome is now a proposal on the routine page.
