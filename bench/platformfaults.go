package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// platformFaults breaks the platforms' send calls while a small campaign
// goes out, on each engine: 5xx bursts, 429 storms with retry_after,
// slow answers, hangs (the client times out after the request was
// written) and "applied, then the connection dropped".
//
// Expected, per the delivery rules: definite failures (5xx with an error
// body, 429) are retried until delivered; on Telegram, which has no
// idempotency key, an ambiguous failure (hang, drop) leaves the invitation
// unknown and is never resent; on Slack the message metadata lets vocbot
// look the post up and resend only if it is not there. Nothing is doubled.
func platformFaults(ctx context.Context, s *suite) {
	var wg sync.WaitGroup
	for _, e := range s.engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := platformFaultsOn(ctx, s, e); err != nil {
				s.table.Fail("platform-faults", string(e), err)
			}
		}()
	}
	wg.Wait()
}

var (
	telegramFaults = []harness.Fault{
		{Platform: "telegram", Method: "sendMessage", Kind: "status", Status: 502, Count: 3},
		{Platform: "telegram", Method: "sendMessage", Kind: "status", Status: 500, Count: 2},
		{Platform: "telegram", Method: "sendMessage", Kind: "ratelimit", RetryAfter: 1, Count: 8},
		{Platform: "telegram", Method: "sendMessage", Kind: "slow", DelayMS: 1500, Count: 5},
		{Platform: "telegram", Method: "sendMessage", Kind: "drop", Count: 2},
		{Platform: "telegram", Method: "sendMessage", Kind: "hang", Count: 2},
	}
	slackFaults = []harness.Fault{
		{Platform: "slack", Method: "chat.postMessage", Kind: "status", Status: 503, Count: 2},
		{Platform: "slack", Method: "chat.postMessage", Kind: "ratelimit", RetryAfter: 1, Count: 3},
		{Platform: "slack", Method: "chat.postMessage", Kind: "slow", DelayMS: 1500, Count: 2},
		{Platform: "slack", Method: "chat.postMessage", Kind: "drop", Count: 2},
		{Platform: "slack", Method: "chat.postMessage", Kind: "hang", Count: 1},
	}
)

func faultCount(fs []harness.Fault, kinds ...string) int {
	n := 0
	for _, f := range fs {
		if len(kinds) == 0 || contains(kinds, f.Kind) {
			n += f.Count
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func platformFaultsOn(ctx context.Context, s *suite, e harness.Engine) error {
	engine := string(e)
	name := "faults-" + engine
	var c cleanup
	defer c.run()
	db, err := s.database(ctx, e, name)
	if err != nil {
		return err
	}
	if e == harness.Postgres {
		c.add(func() { _ = db.Drop(context.Background()) })
	}
	f, err := s.fakes(ctx, name)
	if err != nil {
		return err
	}
	c.add(f.Kill)
	nt := s.sizes.Faults
	base := int64(3_000_000)
	chat := func(i int) int64 { return base + int64(i) }
	ids := make([]int64, nt)
	for i := range ids {
		ids[i] = chat(i)
	}
	if err := f.AddTelegramUsers(ctx, ids, "en", false); err != nil {
		return err
	}
	ns := 10
	var slackUsers []string
	for i := range ns {
		slackUsers = append(slackUsers, fmt.Sprintf("U0BENCH%03d", i))
	}
	if err := f.AddSlackUsers(ctx, slackUsers); err != nil {
		return err
	}
	for _, ft := range append(append([]harness.Fault(nil), telegramFaults...), slackFaults...) {
		if err := f.Inject(ctx, ft); err != nil {
			return err
		}
	}
	v, err := s.vocbot(ctx, name+"/vocbot", s.vocbotEnv(db, f, platforms{slack: true}))
	if err != nil {
		return err
	}
	c.add(func() { _ = v.Stop(15 * time.Second) })
	if err := v.WaitReady(ctx, 90*time.Second); err != nil {
		return err
	}
	loader := &harness.Loader{Targets: []*harness.Client{v.API}, Batch: 50, Workers: 1}
	if err := loader.Run(ctx, 0, nt, harness.TelegramTouchpoint("pf", chat)); err != nil {
		return err
	}
	slackTP := func(i int) map[string]any {
		return map[string]any{"id": fmt.Sprintf("pfs_%d", i), "type": "order_delivered", "survey": "csat",
			"customer": map[string]any{"id": fmt.Sprintf("cus_pfs_%d", i), "slack_user_id": slackUsers[i]}}
	}
	if err := loader.Run(ctx, 0, ns, slackTP); err != nil {
		return err
	}

	start := time.Now()
	var inv map[string]int
	waitErr := harness.Eventually(ctx, 5*time.Minute, time.Second, "every invitation final", func() bool {
		got, err := v.API.Invitations(ctx)
		if err != nil {
			return false
		}
		inv = got
		return got["scheduled"]+got["sending"] == 0 && got["sent"]+got["unknown"]+got["undeliverable"] >= nt+ns
	})
	took := time.Since(start)
	stats, err := f.Stats(ctx)
	if err != nil {
		return err
	}
	applied := func(platform string) string {
		var parts []string
		for k, n := range stats.Faulted {
			if strings.HasPrefix(k, platform+".") {
				parts = append(parts, fmt.Sprintf("%s×%d", strings.TrimPrefix(k, platform+"."), n))
			}
		}
		return strings.Join(sorted(parts), " ")
	}
	appliedN := 0
	for _, n := range stats.Faulted {
		appliedN += n
	}
	injected := faultCount(telegramFaults) + faultCount(slackFaults)
	s.table.Check("platform-faults: faults applied", engine, fmt.Sprintf("all %d injected faults hit a call", injected),
		appliedN == injected && stats.PendingFaults == 0, "telegram: %s; slack: %s; pending %d",
		applied("telegram"), applied("slack"), stats.PendingFaults)

	chats, err := f.TelegramChats(ctx)
	if err != nil {
		return err
	}
	one, missing, doubled := 0, 0, 0
	for _, id := range ids {
		switch c := chats[id].Surveys; {
		case c == 1:
			one++
		case c == 0:
			missing++
		default:
			doubled++
		}
	}
	ambiguous := faultCount(telegramFaults, "hang", "drop")
	drops := faultCount(telegramFaults, "drop")
	observed := fmt.Sprintf("invitations %v; chats: %d one, %d none, %d doubled; settled in %s", compact(inv), one, missing, doubled, took.Round(time.Second))
	if waitErr != nil {
		observed += "; " + waitErr.Error()
	}
	// Telegram invitations only: the Slack ones are all expected sent.
	tgSent := inv["sent"] - ns
	s.table.Check("platform-faults: Telegram 5xx/429/slow delivered, ambiguous not resent", engine,
		fmt.Sprintf("sent %d, unknown %d (hang+drop), none doubled, %d missing (hangs)", nt-ambiguous, ambiguous, ambiguous-drops),
		doubled == 0 && tgSent == nt-ambiguous && inv["unknown"] == ambiguous && missing == ambiguous-drops, "%s", observed)

	posts, err := f.SlackPosts(ctx)
	if err != nil {
		return err
	}
	sOne, sBad := 0, []string{}
	for _, u := range slackUsers {
		switch n := posts[harness.SlackDM(u)].Surveys; n {
		case 1:
			sOne++
		default:
			sBad = append(sBad, fmt.Sprintf("%s:%d", u, n))
		}
	}
	s.table.Check("platform-faults: Slack delivered once despite 5xx/429/hang/drop", engine,
		fmt.Sprintf("%d DMs with exactly one survey", ns), sOne == ns, "%d with one; others %v", sOne, sBad)

	m, err := v.API.Metrics(ctx)
	if err == nil {
		rl := m[`vocbot_platform_ratelimited_total{platform="telegram"}`]
		s.table.Check("platform-faults: 429s counted in /metrics", engine, fmt.Sprintf("vocbot_platform_ratelimited_total{telegram} ≥ %d", faultCount(telegramFaults, "ratelimit")),
			int(rl) >= faultCount(telegramFaults, "ratelimit"), "%v", rl)
	}
	if err := v.Stop(15 * time.Second); err != nil {
		s.logf("%s: stop: %v", name, err)
	}
	s.scanDatabase(ctx, "platform-faults", db)
	return nil
}

func compact(m map[string]int) string {
	var parts []string
	for k, v := range m {
		if v != 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v))
		}
	}
	return strings.Join(sorted(parts), " ")
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
