package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/storage/storagetest"
)

func tpBody(id, customer string, chat int) string {
	return fmt.Sprintf(`{"id":%q,"type":"order_delivered","customer":{"id":%q,"telegram_chat_id":%d}}`, id, customer, chat)
}

// vocbot send and vocbot import apply the same rules as the API: a group
// chat is no recipient, a NUL is refused, and a bad row is skipped alone.
func TestCLIRefusesGroupChatsAndNUL(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			vars := cliEnv(t, storagetest.URL(t, e))
			_, _, err := runCLI(t, vars, "send", "--survey", "nps", "--customer", "cus_g", "--telegram-chat-id", "-1001234567890")
			if err == nil || !strings.Contains(err.Error(), "customer.telegram_chat_id") || !strings.Contains(err.Error(), "private chat") {
				t.Fatalf("send to a group: %v, want a customer.telegram_chat_id error", err)
			}
			_, _, err = runCLI(t, vars, "send", "--survey", "nps", "--customer", "cus\xff", "--telegram-chat-id", "55")
			if err == nil || !strings.Contains(err.Error(), "customer.id") {
				t.Fatalf("send to an id with invalid UTF-8: %v, want a customer.id error", err)
			}
			dir := t.TempDir()
			jsonl := filepath.Join(dir, "tp.jsonl")
			lines := tpBody("j1", "cus_j1", 701) + "\n" +
				tpBody("j2", "cus_j2", -702) + "\n" +
				`{"id":"j3","type":"order_delivered","customer":{"id":"cus_j3","name":"a\u0000b","telegram_chat_id":703}}` + "\n" +
				"{\"id\":\"j4\",\"type\":\"order_delivered\",\"customer\":{\"id\":\"cus_j4\",\"name\":\"a\xffb\",\"telegram_chat_id\":704}}\n"
			if err := os.WriteFile(jsonl, []byte(lines), 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, err := runCLI(t, vars, "import", "touchpoints", jsonl)
			if err == nil || !strings.Contains(err.Error(), "3 of 4 rows were not imported") {
				t.Fatalf("import: %v, want 3 of 4 rows not imported\n%s", err, errOut)
			}
			for _, want := range []string{"tp.jsonl:2: ", "customer.telegram_chat_id", "tp.jsonl:3: ", "customer.name", "NUL", "tp.jsonl:4: ", "UTF-8"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("import report lacks %q:\n%s", want, errOut)
				}
			}
			csvPath := filepath.Join(dir, "tp.csv")
			csv := "id,type,customer_id,telegram_chat_id,customer_name\nc1,order_delivered,cus_c1,0,\nc2,order_delivered,cus_c2,-9,\nc3,order_delivered,cus_c3,9,Da\xffna\n"
			if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, err = runCLI(t, vars, "import", "touchpoints", csvPath)
			if err == nil || !strings.Contains(err.Error(), "3 of 3 rows were not imported") || strings.Count(errOut, "customer.telegram_chat_id") != 2 ||
				!strings.Contains(errOut, "tp.csv:4: customer_name: is not valid UTF-8") {
				t.Fatalf("csv import: %v, want both rows refused on customer.telegram_chat_id\n%s", err, errOut)
			}
		})
	}
}
