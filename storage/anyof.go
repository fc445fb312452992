package storage

import (
	"database/sql/driver"
	"strconv"
	"strings"
)

// anyOf is the condition "col is one of vals" and its one argument. On
// PostgreSQL it is col = ANY(array): one parameter whatever the length, so
// the prepared statement stays the same for every batch and its generic
// plan (chosen after five runs) still probes the index per element. A long
// IN list instead is a new statement per length, and its generic plan
// scans by the other conditions alone, slowing with the table. SQLite has
// no arrays and plans each statement afresh: an IN list there.
func (s *Store) anyOf(col string, vals any) (string, any) {
	if s.db.engine != Postgres {
		return col + " IN ?", vals
	}
	switch v := vals.(type) {
	case []string:
		return col + " = ANY(CAST(? AS text[]))", textArray(v)
	case []int64:
		return col + " = ANY(CAST(? AS bigint[]))", bigintArray(v)
	}
	panic("storage: anyOf of an unsupported type") // a programming error, caught by the tests
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
