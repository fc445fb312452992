package main

import "github.com/vocbot/vocbot/web"

// The CSV headers the export and audit tests compare with; web writes them.
var (
	exportColumns = web.ResponseCSVColumns
	alertColumns  = web.AlertCSVColumns
	auditColumns  = web.AuditCSVColumns
)
