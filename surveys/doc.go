// Package surveys is vocbot's vocabulary: what a survey, a touchpoint, an
// invitation, a response and a digest are, and what may happen to them.
//
// It is the domain core. It knows nothing of databases, HTTP, job queues,
// chat SDKs or configuration files; those live in storage, cmd and bots/*,
// and depend on this package, never the other way round.
package surveys
