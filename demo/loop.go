package demo

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
)

// closeTheLoop is step 3: a detractor's alert in Slack #cx-alerts is
// claimed, the agent replies (the customer reads it in Telegram), the
// customer's answer appears in the alert's thread, and the alert is
// resolved with a reason.
func (t *tour) closeTheLoop(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var c Customer
	for _, cu := range customers {
		if cu.ID == loopCustomer {
			c = cu
		}
	}
	t.say("3. Closing the loop: %s's alert in Slack #cx-alerts", c.Name)
	alert, err := t.slk.WaitMessage(ctx, func(m slacktest.Message) bool {
		return m.Channel == alertChannel && m.ThreadTS == "" && strings.Contains(m.Text, c.ID)
	})
	if err != nil {
		return fmt.Errorf("demo: no alert for %s: %w", c.Name, err)
	}
	t.say("%s", indent(blockText(alert), "   │ "))
	claim, ok := alert.Button("Claim")
	if !ok {
		return fmt.Errorf("demo: %s's alert has no Claim button", c.Name)
	}
	client := &slacktest.Client{SigningSecret: signingSecret}
	resp, err := client.Press(ctx, slacktest.URL(http.DefaultClient, base+"/slack/interactivity"), ambassador, alert, claim)
	if err != nil {
		return fmt.Errorf("demo: claiming the alert: %w", err)
	}
	resp.Body.Close()
	claimed, err := t.updated(ctx, alert, "Claimed by")
	if err != nil {
		return err
	}
	t.say("   maya taps [Claim]: %s", statusLine(claimed, "Claimed by"))

	ref := alertRef(alert.Text)
	after := lastMessageID(t.tg, c.Chat)
	reply, err := slashCommand(ctx, t.slk, base, alertChannel, "reply "+ref+" "+loopReply)
	if err != nil {
		return err
	}
	t.say("   maya: /survey reply %s %s", ref, loopReply)
	t.say("%s", indent(reply, "   vocbot │ "))
	got, err := nextBotMessage(ctx, t.tg, c.Chat, after)
	if err != nil {
		return fmt.Errorf("demo: the reply did not reach %s: %w", c.Name, err)
	}
	t.say("   %s reads in Telegram:", c.Name)
	t.say("%s", indent(got.Text, "      bot │ "))
	t.tg.SendText(c.Chat, loopAnswer)
	t.say("%s", indent(loopAnswer, fmt.Sprintf("%6s │ ", c.Name)))
	inThread, err := t.slk.WaitMessage(ctx, func(m slacktest.Message) bool { return m.ThreadTS == alert.TS })
	if err != nil {
		return fmt.Errorf("demo: %s's answer did not reach the alert's thread: %w", c.Name, err)
	}
	t.say("   in the alert's thread:")
	t.say("%s", indent(blockText(inThread), "   │ "))
	reply, err = slashCommand(ctx, t.slk, base, alertChannel, "resolve "+ref+" "+loopReason)
	if err != nil {
		return err
	}
	t.say("   maya: /survey resolve %s %s", ref, loopReason)
	t.say("%s", indent(reply, "   vocbot │ "))
	resolved, err := t.updated(ctx, alert, "Resolved by")
	if err != nil {
		return err
	}
	t.say("   the alert now reads: %s", statusLine(resolved, "Resolved by"))
	return t.recovery(ctx, base, c, ref)
}

// recovery is the end of step 3: the rule's recovery survey reaches the
// customer after the resolution, she answers it, and the alert shows it
// (GET /v1/alerts/{ref}).
func (t *tour) recovery(ctx context.Context, base string, c Customer, ref string) error {
	t.say("   The rule's recovery survey follows the resolution: in the demo %s after it, where a team would set", recoveryAfter)
	t.say("   recovery: {survey: csat-recovery, after: %s} to ask a couple of days later.", recoveryTeam)
	rc := c
	rc.Score, rc.Comment = recoveryScore, recoveryComment
	if err := answerSurvey(ctx, t.tg, rc, lastMessageID(t.tg, c.Chat), "   "+c.Name+" receives the recovery survey in Telegram:", t.say); err != nil {
		return err
	}
	var got struct {
		Recovery *struct {
			Survey     string  `json:"survey"`
			Status     string  `json:"status"`
			Score      *int    `json:"score"`
			Comment    *string `json:"comment"`
			Recovered  *bool   `json:"recovered"`
			AnsweredAt *string `json:"answered_at"`
		} `json:"recovery"`
	}
	// The answer's comment is recorded as she sends it; the thanks may
	// reach her a moment before the API reads it.
	for {
		if err := get(ctx, base+"/v1/alerts/"+ref, &got); err != nil {
			return err
		}
		if r := got.Recovery; r != nil && r.Status == "answered" && r.Comment != nil && r.Recovered != nil && r.AnsweredAt != nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: GET /v1/alerts/%s never showed %s's recovery answer: %+v", ref, c.Name, got.Recovery)
		case <-time.After(100 * time.Millisecond):
		}
	}
	r := got.Recovery
	answered := *r.AnsweredAt
	if at, err := time.Parse(time.RFC3339Nano, answered); err == nil {
		answered = at.UTC().Format(time.RFC3339)
	}
	t.say("   GET /v1/alerts/%s → recovery: survey %s, %s, CSAT %d, recovered %v, answered at %s", ref, r.Survey, r.Status, *r.Score, *r.Recovered, answered)
	t.say("%s", indent(*r.Comment, "      comment │ "))
	return nil
}

// updated waits for the alert message to be edited in place to show want.
func (t *tour) updated(ctx context.Context, alert slacktest.Message, want string) (slacktest.Message, error) {
	m, err := t.slk.WaitMessage(ctx, func(m slacktest.Message) bool {
		return m.TS == alert.TS && m.Edited && strings.Contains(m.Text, want)
	})
	if err != nil {
		return m, fmt.Errorf("demo: the alert never showed %q: %w", want, err)
	}
	return m, nil
}

// statusLine is the line of the alert's text that starts with prefix, with
// the ambassador's mention shown as Slack shows it.
func statusLine(m slacktest.Message, prefix string) string {
	for _, l := range strings.Split(m.Text, "\n") {
		if i := strings.Index(l, prefix); i >= 0 {
			return strings.ReplaceAll(strings.TrimSpace(l[i:]), "<@"+ambassador+">", "@maya")
		}
	}
	return m.Text
}

// alertRef reads the alert's ref ("a3") from its reply hint.
func alertRef(text string) string {
	_, after, _ := strings.Cut(text, "/survey reply ")
	ref, _, _ := strings.Cut(after, " ")
	return ref
}
