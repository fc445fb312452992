// Package config turns vocbot's two sources of settings into one checked
// Config of plain values: the VOCBOT_* environment (credentials, addresses,
// logging) and the YAML file (surveys, touchpoint rules, fatigue, digests,
// alerts, ambassadors). docs/configuration.md is the operator's reference,
// and the contract this package follows.
//
// Start with Load. It reads the environment through the getenv function it is
// given (never os.Getenv, so tests stay parallel), finds the YAML file
// (--config, then VOCBOT_CONFIG, then ./vocbot.yaml if present), fills in the
// built-in defaults and validates everything. Every problem is reported at
// once, one per line, each naming the variable or "file:line: key.path" and
// what to write instead. A Config that Load returned is valid: its users need
// not check it again.
//
// Two methods serve operators: WriteEffective prints the effective
// configuration as YAML with every secret masked (vocbot config check), and
// Features lists which parts of vocbot are on or off and why (vocbot serve
// logs it once at start).
//
// The package imports nothing of vocbot's; only cmd/vocbot imports it and
// converts what it needs into the types of surveys and the adapters. It embeds
// the time zone database (time/tzdata), so digests and quiet hours work on
// hosts and in containers without /usr/share/zoneinfo.
package config
