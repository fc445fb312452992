package surveys

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Listings of responses and of the audit log come newest first, in pages
// that resume from a keyset Cursor, so a page costs the same at the first
// row and at the millionth, and a row inserted meanwhile is neither skipped
// nor repeated. Storage implements them; the HTTP API and the export
// commands read them.

// Cursor is where a newest-first listing stopped: the (time, id) of the last
// row returned. The zero Cursor starts from the newest row.
type Cursor struct {
	At time.Time
	ID int64
}

// ErrBadCursor means a cursor string was not one a listing produced.
var ErrBadCursor = errors.New("not a cursor from a previous page")

// IsZero reports whether c starts from the beginning.
func (c Cursor) IsZero() bool { return c.ID == 0 && c.At.IsZero() }

// String encodes the cursor for clients, opaque by intent: base64url of
// "unix-nanoseconds.id". The zero Cursor is "".
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor decodes Cursor.String; "" is the zero Cursor. Anything else
// wraps ErrBadCursor.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	at, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return Cursor{}, ErrBadCursor
	}
	ns, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{At: time.Unix(0, ns).UTC(), ID: n}, nil
}

// ResponseFilter selects responses. Zero fields select everything.
type ResponseFilter struct {
	SurveyID string
	Since    time.Time // answered at or after
	Until    time.Time // answered before
	// After resumes a listing: only rows older than the cursor.
	After Cursor
	// Limit caps a page; 0 means DefaultPage.
	Limit int
}

// AuditFilter selects audit entries. Zero fields select everything.
type AuditFilter struct {
	Since time.Time // at or after
	Until time.Time // before
	Actor string
	After Cursor
	Limit int // 0 means DefaultPage; at most MaxPage
}

// AlertFilter selects alerts. Zero fields select everything.
type AlertFilter struct {
	// Status is one reported status (see Alert.Status); "" is all.
	Status   AlertStatus
	SurveyID string
	Since    time.Time // raised at or after
	Until    time.Time // raised before
	After    Cursor
	Limit    int // 0 means DefaultPage; at most MaxPage
	// Now decides which alerts have expired; zero is the store's clock.
	Now time.Time
}

// Page sizes of listings.
const (
	DefaultPage = 100
	MaxPage     = 1000
)

// ForgetReport says what forgetting a customer changed.
type ForgetReport struct {
	// Pseudonym replaced the customer's id everywhere (customers, audit
	// log): "forgotten:" and 16 hex digits that nothing maps back.
	Pseudonym string
	// Responses are kept, anonymised, so totals and past scores still add up.
	Responses int64
	// CommentsErased counts comments cleared (and follow-ups that were awaiting one).
	CommentsErased     int64
	IdentitiesDeleted  int64
	TouchpointsCleared int64
	LinkTokensDeleted  int64
	// InvitationsCancelled were scheduled and will not be sent.
	InvitationsCancelled int64
}
