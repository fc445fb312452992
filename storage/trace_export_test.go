package storage

// CountStatements makes a DB opened with o call count for every statement
// it sends, BEGIN and COMMIT included.
func CountStatements(o Options, count func()) Options {
	o.statement = count
	return o
}
