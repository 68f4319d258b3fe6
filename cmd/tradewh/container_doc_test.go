package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl/etltest"
)

// The README's container section says where the health and metrics
// listener is as the Dockerfile starts it, and nothing else.
func TestREADMEContainerSectionMatchesDockerfile(t *testing.T) {
	docker, err := os.ReadFile(etltest.RepoFile(t, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(etltest.RepoFile(t, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	listen := regexp.MustCompile(`(?m)^CMD .*"--listen", "([^"]+)"`).FindSubmatch(docker)
	health := regexp.MustCompile(`(?m)"--url", "([^"]+)"`).FindSubmatch(docker)
	if listen == nil || health == nil {
		t.Fatal("the Dockerfile's CMD has no --listen or its HEALTHCHECK no --url")
	}
	_, section, _ := strings.Cut(string(readme), "\n## Container image\n")
	section, _, _ = strings.Cut(section, "\n## ")
	section = strings.Join(strings.Fields(section), " ")
	for _, m := range regexp.MustCompile(`--listen ([^ )`+"`"+`]+)`).FindAllStringSubmatch(section, -1) {
		if m[1] != string(listen[1]) {
			t.Errorf("the README's container section has --listen %s, the Dockerfile --listen %s", m[1], listen[1])
		}
	}
	if !strings.Contains(section, "--listen "+string(listen[1])) {
		t.Errorf("the README's container section does not say the listener is on %s", listen[1])
	}
	if !strings.Contains(section, "--url "+string(health[1])) {
		t.Errorf("the README's container section does not give the health check's URL %s", health[1])
	}
	if strings.Contains(string(listen[1]), "0.0.0.0") && strings.Contains(section, "loopback") {
		t.Error("the README's container section says the listener is on loopback; the Dockerfile binds it to every interface")
	}
}
