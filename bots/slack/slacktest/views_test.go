package slacktest_test

import (
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
)

func TestViewsOpen(t *testing.T) {
	t.Parallel()
	srv := slacktest.NewServer(slacktest.Options{})
	t.Cleanup(srv.Close)
	api := slackgo.New(slacktest.DefaultToken, slackgo.OptionAPIURL(srv.URL))
	modal := slackgo.ModalViewRequest{
		Type:   slackgo.VTModal,
		Title:  slackgo.NewTextBlockObject(slackgo.PlainTextType, "Reply to customer", false, false),
		Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{slackgo.NewSectionBlock(slackgo.NewTextBlockObject(slackgo.MarkdownType, "hi", false, false), nil, nil)}},
	}
	if _, err := api.OpenView("123.456.trigger", modal); err != nil {
		t.Fatal(err)
	}
	if _, err := api.OpenView("", modal); err == nil {
		t.Fatal("views.open without trigger_id succeeded")
	}
	modal.Title = slackgo.NewTextBlockObject(slackgo.PlainTextType, "A title far longer than Slack allows", false, false)
	if _, err := api.OpenView("123.456.trigger", modal); err == nil {
		t.Fatal("views.open with a 36-character title succeeded")
	}
	if v := srv.Views(); len(v) != 1 || v[0].TriggerID != "123.456.trigger" {
		t.Fatalf("views: %+v", v)
	}
}
