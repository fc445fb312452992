package slack

import (
	"context"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/vocbot/vocbot/surveys"
)

// commandPatience is how long a slash command may run before vocbot
// answers "Working on it…" and sends the reply through response_url:
// Slack shows the person an error when the answer takes over 3 s.
const commandPatience = 2500 * time.Millisecond

// workingOnIt is the answer to a slash command still running.
const workingOnIt = "Working on it…"

// answerCommand runs a slash command and returns what to answer at once,
// in the HTTP response or the Socket Mode ack. A command that outlasts the
// Bot's patience is answered "Working on it…" and keeps running; its reply
// is then posted to the command's response_url (which Slack accepts 5
// times within 30 minutes).
func (b *Bot) answerCommand(ctx context.Context, c surveys.Commander, cmd slackgo.SlashCommand) map[string]string {
	if cmd.ResponseURL == "" {
		return b.runCommand(ctx, c, cmd)
	}
	done := make(chan map[string]string, 1)
	go func() { done <- b.runCommand(ctx, c, cmd) }()
	wait := time.NewTimer(b.patience)
	defer wait.Stop()
	select {
	case answer := <-done:
		return answer
	case <-wait.C:
	}
	go func() {
		answer := <-done
		if answer == nil {
			return
		}
		_, _, _, err := b.api.SendMessageContext(ctx, "",
			slackgo.MsgOptionResponseURL(cmd.ResponseURL, slackgo.ResponseTypeEphemeral),
			slackgo.MsgOptionText(answer["text"], false))
		if err != nil {
			b.log.Error("slack command reply lost: response_url refused it", "command", cmd.Command, "err", err)
		}
	}()
	return map[string]string{"response_type": slackgo.ResponseTypeEphemeral, "text": workingOnIt}
}
