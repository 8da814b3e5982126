# Helpers shared by the decision points of this bundle, and by local
# overlays. Dates in input are day numbers (days since 1970-01-01, Europe/London
# civil dates); an absent fact means "never". Deadlines go back to the engine
# as {kind, from, n, unit, rule, reason}; the engine turns them into dates
# with the working-day calendar (docs/rules.md#time). A reason is
# {rule, message}. Either may carry "args": the engine then formats the
# message (or reason) with them, fmt-style (%d a number, %s a string; a set
# or array renders sorted and ", "-joined), so rules need not call sprintf
# while they are evaluated.
#
# The national decision points write these objects out in full rather than
# calling the functions below: a function call costs an evaluation frame per
# call, and every assessment evaluates dozens of them.
package dsr.lib

# deadline is an action due `dl` after the day `from`.
deadline(kind, from, dl, rule, msg) := {"kind": kind, "from": from, "n": dl.n, "unit": dl.unit, "rule": rule, "reason": msg}

# reason is one rule that fired.
reason(rule, msg) := {"rule": rule, "message": msg}

# on_or_after(fact, day) holds when the dated fact exists and is on or after day.
on_or_after(fact, day) if fact >= day
