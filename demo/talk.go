package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
)

// How the tour talks to vocbot: as the shop (the API), as customers (the
// Telegram and Discord fakes) and as the team (Slack and Discord commands).

// conversation plays one Telegram customer: wait for the survey, tap the
// score, answer "why?" (or skip it), read the thanks.
func conversation(ctx context.Context, tg *telegramtest.Server, c Customer, say func(string, ...any)) error {
	return answerSurvey(ctx, tg, c, 0, fmt.Sprintf("   ── %s (%s)", c.Name, c.Locale), say)
}

// answerSurvey plays a Telegram customer answering the first survey the bot
// sends after message id after, under the heading.
func answerSurvey(ctx context.Context, tg *telegramtest.Server, c Customer, after int, heading string, say func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	survey, err := nextBotMessage(ctx, tg, c.Chat, after)
	if err != nil {
		return fmt.Errorf("demo: %s got no survey: %w", c.Name, err)
	}
	say("%s", heading)
	say("%s", indent(survey.Text, "      bot │ "))
	var buttons []telegramtest.Button
	for _, row := range survey.Keyboard {
		buttons = append(buttons, row...)
	}
	if len(buttons) == 0 {
		return fmt.Errorf("demo: %s's survey has no buttons", c.Name)
	}
	first := 0
	if len(buttons) < 11 {
		first = 1 // 1–5 and 1–7 scales
	}
	b := buttons[c.Score-first]
	if _, err := tg.PressButton(c.Chat, survey.ID, b.Text); err != nil {
		return fmt.Errorf("demo: %s pressing %s: %w", c.Name, b.Text, err)
	}
	say("      %s taps [%s]", c.Name, b.Text)
	followUp, err := nextBotMessage(ctx, tg, c.Chat, survey.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no follow-up: %w", c.Name, err)
	}
	say("%s", indent(followUp.Text, "      bot │ "))
	tg.SendText(c.Chat, c.Comment)
	say("%s", indent(c.Comment, fmt.Sprintf("%6s │ ", c.Name)))
	thanks, err := nextBotMessage(ctx, tg, c.Chat, followUp.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no thanks: %w", c.Name, err)
	}
	say("%s", indent(thanks.Text, "      bot │ "))
	return nil
}

// nextBotMessage waits for the first bot message after message id after.
func nextBotMessage(ctx context.Context, tg *telegramtest.Server, chat int64, after int) (telegramtest.Message, error) {
	var found telegramtest.Message
	err := tg.Wait(ctx, func() bool {
		for _, m := range tg.Sent(chat) {
			if m.FromBot && m.ID > after {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// lastMessageID is the id of the newest message in a Telegram chat.
func lastMessageID(tg *telegramtest.Server, chat int64) int {
	last := 0
	for _, m := range tg.Sent(chat) {
		last = max(last, m.ID)
	}
	return last
}

func indent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("demo: vocbot did not become ready within 30 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// post sends body to the API as the shop, with the demo's token.
func post(ctx context.Context, url string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+APIToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("demo: %s answered %d: %s", url, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// get reads url from the API as the shop, with the demo's token.
func get(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+APIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("demo: %s answered %d: %s", url, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// slashCommand sends "/survey text" as the ambassador in a Slack channel,
// signed like Slack, and returns vocbot's reply: the immediate one, or, when
// vocbot answered "Working on it…" (a slow command, as on a loaded machine),
// the one it posts to the command's response_url afterwards.
func slashCommand(ctx context.Context, slk *slacktest.Server, base, channel, text string) (string, error) {
	c := &slacktest.Client{SigningSecret: signingSecret, HooksURL: slk.HooksURL()}
	seen := map[string]bool{}
	for _, r := range slk.Responses() {
		seen[r.URL] = true
	}
	resp, err := c.SlashCommand(ctx, slacktest.URL(http.DefaultClient, base+"/slack/commands"),
		slacktest.Command{User: ambassador, Channel: channel, Text: text})
	if err != nil {
		return "", fmt.Errorf("demo: /survey %s: %w", text, err)
	}
	defer resp.Body.Close()
	var reply struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("demo: /survey %s: status %d, %v", text, resp.StatusCode, err)
	}
	if reply.Text != "Working on it…" {
		return reply.Text, nil
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	later, err := slk.WaitResponse(wctx, func(r slacktest.Response) bool { return !seen[r.URL] })
	if err != nil {
		return "", fmt.Errorf("demo: /survey %s: no reply after \"Working on it…\": %w", text, err)
	}
	return later.Text, nil
}

// blockText reads a Block Kit message the way a person sees it: every
// text of every block, in order.
func blockText(m slacktest.Message) string {
	var blocks []any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil || len(blocks) == 0 {
		return m.Text
	}
	var lines []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "actions" { // buttons, on one line as a person sees them
				var buttons []string
				for _, e := range asList(v["elements"]) {
					if b, ok := e.(map[string]any); ok {
						if t, ok := b["text"].(map[string]any); ok {
							buttons = append(buttons, fmt.Sprintf("[%v]", t["text"]))
						}
					}
				}
				lines = append(lines, strings.Join(buttons, " "))
				return
			}
			if t, ok := v["text"].(string); ok {
				if typ, _ := v["type"].(string); typ == "mrkdwn" || typ == "plain_text" {
					lines = append(lines, t)
					return
				}
			}
			for _, k := range []string{"text", "fields", "elements"} {
				if inner, ok := v[k]; ok {
					walk(inner)
				}
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(blocks)
	return strings.Join(lines, "\n")
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// discordConversation plays a customer on Discord, as Discord would post
// their interactions to serve: wait for the survey DM, press the score, open
// the "why?" form and submit it, read the thanks.
func discordConversation(ctx context.Context, dc *discordtest.Server, client *discordtest.Client, base string, c Customer, say func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	to := discordtest.URL(nil, base+"/discord/interactions")
	who := discordtest.Invoker{UserID: c.Discord, Locale: c.Locale}
	dm, ok := dc.DM(c.Discord)
	if !ok {
		return fmt.Errorf("demo: %s is not a Discord user of the fake", c.Name)
	}
	survey, err := nextDiscordMessage(ctx, dc, dm, "")
	if err != nil {
		return fmt.Errorf("demo: %s got no survey on Discord: %w", c.Name, err)
	}
	say("   ── %s (%s) on Discord", c.Name, c.Locale)
	say("%s", indent(discordText(survey.Content), "      bot │ "))
	buttons := survey.Buttons()
	if len(buttons) == 0 {
		return fmt.Errorf("demo: %s's survey has no buttons", c.Name)
	}
	label := fmt.Sprint(c.Score)
	if res, err := client.PressLabel(ctx, to, who, survey.ID, label); err != nil || res.Response == nil {
		return fmt.Errorf("demo: %s pressing %s on Discord: status %d, %v", c.Name, label, res.Status, err)
	}
	say("      %s taps [%s]", c.Name, label)
	why, err := nextDiscordMessage(ctx, dc, dm, survey.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no follow-up on Discord: %w", c.Name, err)
	}
	say("%s", indent(discordText(why.Content), "      bot │ "))
	write := why.Buttons()
	if len(write) == 0 {
		return fmt.Errorf("demo: %s's follow-up has no button to write an answer", c.Name)
	}
	res, err := client.PressLabel(ctx, to, who, why.ID, write[0].Label)
	if err != nil || res.Response == nil || res.Response.Modal == nil {
		return fmt.Errorf("demo: %s's [%s] opened no form: %v", c.Name, write[0].Label, err)
	}
	why, _ = dc.Message(why.ID)
	if res, err := client.Submit(ctx, to, who, why, *res.Response.Modal, c.Comment); err != nil || res.Response == nil {
		return fmt.Errorf("demo: %s's answer in the form: status %d, %v", c.Name, res.Status, err)
	}
	say("      %s taps [%s] and writes in the form:", c.Name, write[0].Label)
	say("%s", indent(c.Comment, fmt.Sprintf("%6s │ ", c.Name)))
	thanks, err := nextDiscordMessage(ctx, dc, dm, why.ID)
	if err != nil {
		return fmt.Errorf("demo: %s got no thanks on Discord: %w", c.Name, err)
	}
	say("%s", indent(discordText(thanks.Content), "      bot │ "))
	return nil
}

// nextDiscordMessage waits for the first message the bot posts in channel
// after the message with id after ("" for the first).
func nextDiscordMessage(ctx context.Context, dc *discordtest.Server, channel, after string) (discordtest.Message, error) {
	var found discordtest.Message
	err := dc.Wait(ctx, func() bool {
		seen := after == ""
		for _, m := range dc.Messages(channel) {
			switch {
			case m.ID == after:
				seen = true
			case seen && m.AuthorID == dc.BotID() && m.Interaction == "":
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// discordStats is an ambassador's /survey stats in a server channel,
// answered privately (at once, or deferred and finished later).
func discordStats(ctx context.Context, dc *discordtest.Server, client *discordtest.Client, base string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	who := discordtest.Invoker{UserID: discordAmbassador, ChannelID: discordChannel, GuildID: discordGuild, Roles: []string{discordRole}}
	res, err := client.Command(ctx, discordtest.URL(nil, base+"/discord/interactions"), who, "survey", "stats",
		discordtest.Option{Name: "survey", Value: "nps"}, discordtest.Option{Name: "window", Value: "7d"})
	if err != nil || res.Response == nil {
		return "", fmt.Errorf("demo: /survey stats on Discord: status %d, %v", res.Status, err)
	}
	var reply discordtest.Message
	err = dc.Wait(ctx, func() bool {
		var ok bool
		reply, ok = dc.Original(res.ID)
		return ok && !reply.Deferred
	})
	if err != nil {
		return "", fmt.Errorf("demo: /survey stats on Discord got no reply: %w", err)
	}
	return discordText(reply.Content), nil
}

// discordEscape is markdown escaping as Discord messages carry it.
var discordEscape = regexp.MustCompile(`\\([\\*_~` + "`" + `|>#\[\]<+.-])`)

// discordText is a message's content as Discord shows it: without the
// backslashes that keep customers' text from being read as markdown.
func discordText(content string) string { return discordEscape.ReplaceAllString(content, "$1") }
