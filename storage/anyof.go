package storage

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// anyOf is the condition "col is one of vals" and its one argument,
// whatever the number of values: the statement's text stays the same for
// every batch. On PostgreSQL it is col = ANY(array), whose generic plan
// (chosen after five runs) still probes the index per element; a long IN
// list is a new statement per length, and its generic plan scanned by the
// other conditions alone, slowing with the table. On SQLite it is col IN
// the elements of a JSON array (json_each): an IN list there binds each
// value as a parameter, and the driver finds each parameter by a linear
// search of all of them, so a list cost the square of its length.
func (s *Store) anyOf(col string, vals any) (string, any) {
	if s.db.engine != Postgres {
		return col + " IN (SELECT value FROM json_each(?))", jsonArray(vals)
	}
	switch v := vals.(type) {
	case []string:
		return col + " = ANY(CAST(? AS text[]))", textArray(v)
	case []int64:
		return col + " = ANY(CAST(? AS bigint[]))", bigintArray(v)
	}
	panic("storage: anyOf of an unsupported type") // a programming error, caught by the tests
}

// jsonArray is vals, a slice, as a JSON array for SQLite's json_each: a
// nil slice is [], not null (json_each would read null as one value).
func jsonArray(vals any) string {
	b, err := json.Marshal(vals)
	if err != nil {
		panic(fmt.Sprintf("storage: a JSON array of %T: %v", vals, err)) // slices of strings, numbers and their arrays always marshal
	}
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}

// textArray is a PostgreSQL text[] sent as its literal, so that gorm binds
// it as one parameter instead of expanding the slice.
type textArray []string

func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, r := range s {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// bigintArray is a PostgreSQL bigint[] sent as its literal (see textArray).
type bigintArray []int64

func (a bigintArray) Value() (driver.Value, error) {
	b := make([]byte, 0, 2+len(a)*8)
	b = append(b, '{')
	for i, n := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return string(append(b, '}')), nil
}
