package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// replicas runs three vocbot replicas on one PostgreSQL database behind a
// round-robin balancer, with the stateless inbound modes: Telegram webhook
// (the fake posts updates to the balancer) and Slack over HTTP. Every
// touchpoint is posted twice at once, to different replicas. Two digests
// are due now. Then the replica holding leadership may be killed.
// Expected: one survey per customer, one digest per channel, every answer
// stored.
func replicas(ctx context.Context, s *suite) {
	if err := replicasOn(ctx, s); err != nil {
		s.table.Fail("replicas", "postgres", err)
	}
}

func replicasOn(ctx context.Context, s *suite) error {
	const engine = "postgres"
	name := "replicas"
	var c cleanup
	defer c.run()
	db, err := s.database(ctx, harness.Postgres, name)
	if err != nil {
		return err
	}
	c.add(func() { _ = db.Drop(context.Background()) })
	f, err := s.fakes(ctx, name)
	if err != nil {
		return err
	}
	c.add(f.Kill)
	channels := []string{"CBENCHDIGA", "CBENCHDIGB"}
	if err := f.AddSlackChannels(ctx, channels); err != nil {
		return err
	}
	cfg, err := s.writeConfig(name, `product: Bench
digests:
  - {id: daily-a, to: "slack:CBENCHDIGA", at: "00:00", timezone: UTC, post_when_empty: true}
  - {id: daily-b, to: "slack:CBENCHDIGB", at: "00:00", timezone: UTC, post_when_empty: true}
`)
	if err != nil {
		return err
	}
	n := s.sizes.Replicas
	base := int64(2_000_000)
	chat := func(i int) int64 { return base + int64(i) }
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = chat(i)
	}
	if err := f.AddTelegramUsers(ctx, ids, "en", false); err != nil {
		return err
	}
	firstDay := time.Now().UTC().Format(time.DateOnly)
	env := s.vocbotEnv(db, f, platforms{webhook: true, slack: true, config: cfg})
	dir := s.dir + "/" + name
	cl, err := harness.StartCluster(ctx, 3, dir, s.bin.Vocbot, env, apiToken)
	if cl != nil {
		for _, p := range cl.LogPaths() {
			s.addLog(p)
		}
		c.add(func() { _ = cl.Stop() })
	}
	if err != nil {
		return err
	}
	if err := cl.WaitReady(ctx, 90*time.Second); err != nil {
		return err
	}
	wh, err := f.TelegramWebhook(ctx)
	if err != nil {
		return err
	}
	want := cl.LB.URL + "/telegram/webhook"
	s.table.Check("replicas: Telegram webhook registered", engine, want+" with a secret",
		wh.URL == want && wh.SecretSet, "%s, secret set: %v", wh.URL, wh.SecretSet)

	// Every touchpoint twice, at the same time, through different replicas.
	prefix := "rep"
	tp := harness.TelegramTouchpoint(prefix, chat)
	clients := cl.Clients()
	l1 := &harness.Loader{Targets: clients, Batch: 25, Workers: 3}
	l2 := &harness.Loader{Targets: append(clients[1:], clients[0]), Batch: 25, Workers: 3}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, l := range []*harness.Loader{l1, l2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = l.Run(ctx, 0, n, tp)
		}()
	}
	wg.Wait()
	if err := firstErr(errs...); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	stored, err := db.Count(ctx, `SELECT count(*) FROM touchpoints WHERE external_id LIKE 'rep\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	s.table.Check("replicas: duplicate posts stored once", engine, fmt.Sprintf("%d touchpoints posted twice each → %d stored", n, n),
		l1.Acked() == n && l2.Acked() == n && stored == n, "acknowledged %d + %d, stored %d, 5xx answers %d",
		l1.Acked(), l2.Acked(), stored, l1.Status5xx.Load()+l2.Status5xx.Load())

	deliverErr := harness.Eventually(ctx, 5*time.Minute, 500*time.Millisecond, "all surveys delivered", func() bool {
		return surveysDelivered(ctx, f) >= n
	})
	p := &presser{f: f, every: s.sizes.AnswerOne, base: base, pressed: map[int64]bool{}}
	p.pass(ctx)

	digestErr := harness.Eventually(ctx, 3*time.Minute, time.Second, "both digests posted", func() bool {
		posts, err := f.SlackPosts(ctx)
		return err == nil && posts[channels[0]].Posts >= 1 && posts[channels[1]].Posts >= 1
	})
	// Kill one replica (possibly the leader): the next leader's first tick
	// must find today's digests already done.
	cl.Replicas[0].Kill()
	time.Sleep(25 * time.Second)

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
	observed := fmt.Sprintf("%d with one, %d with none, %d with 2+", one, missing, doubled)
	if deliverErr != nil {
		observed += "; " + deliverErr.Error()
	}
	s.table.Check("replicas: one survey per customer", engine, fmt.Sprintf("%d chats with exactly one survey", n),
		one == n, "%s", observed)

	posts, err := f.SlackPosts(ctx)
	if err != nil {
		return err
	}
	// A digest is due once per local (here UTC) day: a run across midnight
	// rightly posts twice.
	days := 1
	if time.Now().UTC().Format(time.DateOnly) != firstDay {
		days = 2
	}
	var got []string
	ok := true
	for _, ch := range channels {
		got = append(got, fmt.Sprintf("%s: %d", ch, posts[ch].Posts))
		ok = ok && posts[ch].Posts == days
	}
	observed = strings.Join(got, ", ") + " (after a replica was killed and leadership moved)"
	if digestErr != nil {
		observed += "; " + digestErr.Error()
	}
	s.table.Check("replicas: one digest per channel per day", engine, fmt.Sprintf("%d post(s) in each of 2 channels (UTC days spanned: %d)", days, days), ok, "%s", observed)

	answers := p.given()
	api := cl.Replicas[1].API
	_ = harness.Eventually(ctx, 60*time.Second, time.Second, "answers stored", func() bool {
		got, err := storedAnswers(ctx, api)
		return err == nil && len(missingAnswers(answers, got, prefix, base)) == 0
	})
	gotAnswers, err := storedAnswers(ctx, api)
	if err != nil {
		return err
	}
	lost := missingAnswers(answers, gotAnswers, prefix, base)
	s.table.Check("replicas: answers through the webhook stored", engine, fmt.Sprintf("%d answers stored", len(answers)),
		len(lost) == 0 && len(answers) > 0, "%d pressed, %d stored, missing %v", len(answers), len(answers)-len(lost), first(lost, 5))

	if err := cl.Stop(); err != nil {
		s.logf("%s: stop: %v", name, err)
	}
	s.scanDatabase(ctx, "replicas", db)
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
