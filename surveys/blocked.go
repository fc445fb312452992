package surveys

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event is something that happened to a chat rather than something said
// in it; adapters report it in Incoming.Event.
type Event string

// The chat events the Engine acts on. They are platform-neutral: an
// adapter sends EventBlocked when the platform says the person blocked the
// bot (Telegram's my_chat_member "kicked" in the private chat) and
// EventUnblocked when they allow it again ("member").
const (
	EventBlocked   Event = "blocked"
	EventUnblocked Event = "unblocked"
)

// BlockedDetail is the detail of an invitation that became undeliverable
// because the customer blocked the bot before it was sent.
const BlockedDetail = "blocked the bot"

// BlockTx is the capability of a ChatTx to record blocks.
type BlockTx interface {
	// SetBlocked marks the linked identities that match from (as Customer
	// matches them) blocked at at, or not blocked when blocked is false. A
	// block also makes the scheduled invitations addressed to those chats
	// undeliverable with detail BlockedDetail. It returns how many
	// identities matched: 0 for a chat nobody linked.
	SetBlocked(from Address, blocked bool, at time.Time) (int, error)
}

// BlockedCounter is the optional capability of a DigestStore to count the
// customers who have blocked the bot in a chat linked to them.
type BlockedCounter interface {
	BlockedCustomers(ctx context.Context) (int, error)
}

// handleEvent records a chat event in one transaction, deduplicated by the
// update's ID like every other update. Nothing is said in reply: a person
// who blocked the bot cannot be written to, and one who unblocked it has
// said nothing yet.
func (e *Engine) handleEvent(ctx context.Context, conv Conversations, in Incoming) error {
	var blocked bool
	switch in.Event {
	case EventBlocked:
		blocked = true
	case EventUnblocked:
	default:
		return fmt.Errorf("handle %s from %s: unknown chat event %q", in.ID, in.From, in.Event)
	}
	now := e.clock.Now()
	_, err := conv.Converse(ctx, in.ID, func(tx ChatTx) error {
		bt, ok := tx.(BlockTx)
		if !ok {
			return fmt.Errorf("the store's transaction %T cannot record blocks", tx)
		}
		_, err := bt.SetBlocked(in.From, blocked, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("handle %s (%s) from %s: %w", in.ID, in.Event, in.From, err)
	}
	return nil
}

// blockedWhy explains an unreachable customer whose only chats blocked
// the bot; why is reachable's explanation, kept when there is another
// reason (a chat on a platform without credentials).
func blockedWhy(st CustomerState, why string) string {
	if len(st.Blocked) == 0 || len(st.Identities) > 0 {
		return why
	}
	var ps []string
	for _, a := range st.Blocked {
		if p := string(a.Platform); !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	return "the customer blocked the bot on " + strings.Join(ps, ", ") + " and has no other chat"
}
