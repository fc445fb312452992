package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// What ambassadors' /survey commands read: customers by the reference an
// ambassador typed, how many invitations they sent today, and score counts
// for /survey stats. Aggregates run in SQL (GROUP BY score), like the
// digest's.

var _ surveys.AmbassadorStore = (*Store)(nil)

// FindCustomer implements surveys.AmbassadorStore. Forgotten customers are
// not found. Telegram usernames are never stored, so a username finds no one.
func (s *Store) FindCustomer(ctx context.Context, ref surveys.CustomerRef) (string, error) {
	var ids []string
	db := s.db.gorm.WithContext(ctx)
	var err error
	switch {
	case ref.ExternalID != "":
		err = db.Raw(`SELECT external_id FROM customers WHERE external_id = ? AND forgotten_at IS NULL`, ref.ExternalID).
			Scan(&ids).Error
	case ref.User.UserID != "":
		err = db.Raw(`SELECT c.external_id FROM identities i JOIN customers c ON c.id = i.customer_id
			WHERE i.platform = ? AND i.user_id = ? AND c.forgotten_at IS NULL ORDER BY i.id LIMIT 1`,
			string(ref.User.Platform), ref.User.UserID).Scan(&ids).Error
	default:
		return "", surveys.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("find customer %s: %w", ref, translate(err))
	}
	if len(ids) == 0 {
		return "", surveys.ErrNotFound
	}
	return ids[0], nil
}

// AmbassadorInvitations implements surveys.AmbassadorStore.
func (s *Store) AmbassadorInvitations(ctx context.Context, from surveys.Address, since, until time.Time) (int, error) {
	prefix := surveys.AmbassadorKey(from) + ":"
	var n int64
	err := s.db.gorm.WithContext(ctx).Raw(`SELECT count(*) FROM touchpoints t JOIN invitations i ON i.touchpoint_id = t.id
		WHERE t.source = ? AND substr(t.external_id, 1, ?) = ? AND t.occurred_at >= ? AND t.occurred_at < ?
		AND i.status <> ?`,
		surveys.AmbassadorSource, len(prefix), prefix, since.UTC(), until.UTC(), string(surveys.Skipped)).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count invitations sent by %s: %w", from, translate(err))
	}
	return int(n), nil
}

// attributeKey is what StatsCounts accepts as an attribute name; the
// grammar of /survey stats allows no more.
var attributeKey = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// errBadAttribute is an attribute name StatsCounts refuses.
var errBadAttribute = errors.New("attribute names are 1–64 letters, digits and _.-")

// StatsCounts implements surveys.StatsReader: responses answered in the
// window, per survey, segment and score.
func (s *Store) StatsCounts(ctx context.Context, q surveys.StatsQuery) ([]surveys.StatsCount, error) {
	if len(q.Surveys) == 0 {
		return nil, nil
	}
	segment := "''"
	var args []any
	switch {
	case q.By == "":
	case q.By == surveys.StatsByTouchpoint:
		segment = "touchpoint_type"
	case !attributeKey.MatchString(q.By):
		return nil, fmt.Errorf("stats by %q: %w", q.By, errBadAttribute)
	case s.db.engine == Postgres:
		segment = "coalesce(attributes ->> ?, '')"
		args = append(args, q.By)
	default:
		// The key goes in as a quoted JSON path ($."a.b" is one key).
		segment = "coalesce(json_extract(attributes, ?), '')"
		args = append(args, `$."`+strings.ReplaceAll(q.By, `"`, ``)+`"`)
	}
	args = append(args, q.Surveys, q.Window.Start.UTC(), q.Window.End.UTC())
	var rows []struct {
		SurveyID  string
		Segment   string
		Score     int
		Responses int
	}
	err := s.db.gorm.WithContext(ctx).Raw(`SELECT survey_id, `+segment+` AS segment, score, count(*) AS responses
		FROM responses
		WHERE survey_id IN ? AND answered_at >= ? AND answered_at < ?
		GROUP BY survey_id, segment, score`, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count responses for stats: %w", translate(err))
	}
	out := make([]surveys.StatsCount, len(rows))
	for i, r := range rows {
		out[i] = surveys.StatsCount(r)
	}
	return out, nil
}
