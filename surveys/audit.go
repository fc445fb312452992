package surveys

import "time"

// AuditEntry is one line of the audit log: who did what, when, where, to
// what, and how it ended. Ambassador commands, operator commands and
// erasures are recorded. An entry never carries personal data of customers:
// a forgotten customer appears under their pseudonym.
type AuditEntry struct {
	ID int64
	At time.Time
	// Actor is who acted: "api" (a bearer-token client), "cli" (an
	// operator's command), "customer" (a customer's own request), or a chat
	// user as "<platform>:<user id>" (an ambassador).
	Actor string
	// Platform is where the action came from; "" for the API and the CLI.
	Platform Platform
	// Action names what was done, e.g. "forget", "survey.send".
	Action string
	// Target is what it was done to: a customer id, a survey id.
	Target string
	// Result is how it ended: "ok", or why not (for ambassador commands,
	// a CommandResult).
	Result string
	// Detail says more in words, for a reader of the log.
	Detail string
}
