package deploy_test

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type meta struct {
	Name        string            `yaml:"name"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type labelSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

// matches reports whether the selector picks pods labelled labels.
func (s labelSelector) matches(labels map[string]string) bool {
	if len(s.MatchLabels) == 0 {
		return false
	}
	for k, v := range s.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

type deployment struct {
	Metadata meta `yaml:"metadata"`
	Spec     struct {
		Selector labelSelector `yaml:"selector"`
		Template struct {
			Metadata meta    `yaml:"metadata"`
			Spec     podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	SecurityContext securityContext `yaml:"securityContext"`
	Containers      []container     `yaml:"containers"`
	Volumes         []struct {
		Name   string `yaml:"name"`
		Secret *struct {
			SecretName string `yaml:"secretName"`
			Items      []struct {
				Key string `yaml:"key"`
			} `yaml:"items"`
		} `yaml:"secret"`
	} `yaml:"volumes"`
}

type securityContext struct {
	RunAsNonRoot             *bool  `yaml:"runAsNonRoot"`
	RunAsUser                *int64 `yaml:"runAsUser"`
	ReadOnlyRootFilesystem   *bool  `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool  `yaml:"allowPrivilegeEscalation"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
	} `yaml:"envFrom"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	StartupProbe   *probe `yaml:"startupProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext securityContext `yaml:"securityContext"`
	VolumeMounts    []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

// port resolves a named or numbered container port.
func (c container) port(ref string) (int, bool) {
	for _, p := range c.Ports {
		if p.Name == ref || strconv.Itoa(p.ContainerPort) == ref {
			return p.ContainerPort, true
		}
	}
	return 0, false
}

// manifests holds every object of deploy/k8s by kind.
type manifests struct {
	deployments map[string]deployment // by component label
	configMaps  map[string]map[string]string
	secretKeys  map[string]map[string]bool
	services    []service
	hpas        []hpa
	pdbs        []pdb
	netpols     []netpol
	ingresses   []ingress
	files       map[string]bool
}

type service struct {
	Metadata meta `yaml:"metadata"`
	Spec     struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

type hpa struct {
	Spec struct {
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicas int `yaml:"minReplicas"`
		MaxReplicas int `yaml:"maxReplicas"`
	} `yaml:"spec"`
}

type pdb struct {
	Spec struct {
		Selector labelSelector `yaml:"selector"`
	} `yaml:"spec"`
}

type netpol struct {
	Spec struct {
		PodSelector labelSelector `yaml:"podSelector"`
		Ingress     []struct {
			Ports []struct {
				Port int `yaml:"port"`
			} `yaml:"ports"`
		} `yaml:"ingress"`
	} `yaml:"spec"`
}

type ingress struct {
	Spec struct {
		Rules []struct {
			HTTP struct {
				Paths []struct {
					Backend struct {
						Service struct {
							Name string `yaml:"name"`
							Port struct {
								Name string `yaml:"name"`
							} `yaml:"port"`
						} `yaml:"service"`
					} `yaml:"backend"`
				} `yaml:"paths"`
			} `yaml:"http"`
		} `yaml:"rules"`
	} `yaml:"spec"`
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	m := manifests{deployments: map[string]deployment{}, configMaps: map[string]map[string]string{},
		secretKeys: map[string]map[string]bool{}, files: map[string]bool{}}
	paths, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in k8s/ (%v)", err)
	}
	for _, p := range paths {
		m.files[filepath.Base(p)] = true
		for _, doc := range yamlDocs(t, p) {
			if err := m.add(doc); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
	}
	return m
}

func (m *manifests) add(doc *yaml.Node) error {
	var head struct {
		Kind     string `yaml:"kind"`
		Metadata meta   `yaml:"metadata"`
		Data     map[string]string
	}
	if err := doc.Decode(&head); err != nil {
		return err
	}
	switch head.Kind {
	case "Deployment":
		var d deployment
		err := doc.Decode(&d)
		m.deployments[d.Metadata.Labels["app.kubernetes.io/component"]] = d
		return err
	case "ConfigMap":
		m.configMaps[head.Metadata.Name] = head.Data
	case "Secret":
		var s struct {
			StringData map[string]string `yaml:"stringData"`
		}
		err := doc.Decode(&s)
		m.secretKeys[head.Metadata.Name] = map[string]bool{}
		for k := range s.StringData {
			m.secretKeys[head.Metadata.Name][k] = true
		}
		return err
	case "Service":
		return appendDecoded(doc, &m.services)
	case "HorizontalPodAutoscaler":
		return appendDecoded(doc, &m.hpas)
	case "PodDisruptionBudget":
		return appendDecoded(doc, &m.pdbs)
	case "NetworkPolicy":
		return appendDecoded(doc, &m.netpols)
	case "Ingress":
		return appendDecoded(doc, &m.ingresses)
	}
	return nil
}

func appendDecoded[T any](doc *yaml.Node, list *[]T) error {
	var v T
	err := doc.Decode(&v)
	*list = append(*list, v)
	return err
}

// omnify returns the component's Deployment and its omnify container.
func (m manifests) omnify(t *testing.T, component string) (deployment, container) {
	t.Helper()
	d, ok := m.deployments[component]
	if !ok {
		t.Fatalf("no Deployment labelled app.kubernetes.io/component=%s", component)
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		if strings.Contains(c.Image, "omnify") {
			return d, c
		}
	}
	t.Fatalf("Deployment %s has no omnify container", d.Metadata.Name)
	return d, container{}
}

// listenPort is the port the component's omnify process answers probes
// and scrapes on: its subcommand's listen variable, from the container's
// own env or else from a ConfigMap.
func (m manifests) listenPort(t *testing.T, component string) int {
	t.Helper()
	_, c := m.omnify(t, component)
	if len(c.Args) == 0 {
		t.Fatalf("%s: no args", component)
	}
	name := listenVar[c.Args[0]]
	for _, e := range c.Env {
		if e.Name == name && e.Value != "" {
			return portOf(t, e.Value)
		}
	}
	for _, data := range m.configMaps {
		if addr, ok := data[name]; ok {
			return portOf(t, addr)
		}
	}
	t.Fatalf("%s: %s unset: probes and scrapes could not reach it", component, name)
	return 0
}

var components = []string{"api", "worker"}

func TestK8sDeployments(t *testing.T) {
	m := loadManifests(t)
	cmds := subcommands(t)
	_, api := m.omnify(t, "api")
	for _, comp := range components {
		t.Run(comp, func(t *testing.T) {
			d, c := m.omnify(t, comp)
			if c.Image != api.Image {
				t.Errorf("image %q, want the api's %q", c.Image, api.Image)
			}
			if len(c.Args) == 0 || !cmds[c.Args[0]] {
				t.Errorf("args %q do not start with an omnify subcommand (have %v)", c.Args, keys(cmds))
			}
			if !d.Spec.Selector.matches(d.Spec.Template.Metadata.Labels) {
				t.Errorf("selector %v does not match the pod labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)
			}
			if p := d.Spec.Template.Metadata.Annotations["prometheus.io/path"]; p != "/metrics" {
				t.Errorf("prometheus.io/path annotation %q, want /metrics", p)
			}
			if p := d.Spec.Template.Metadata.Annotations["prometheus.io/port"]; p != strconv.Itoa(m.listenPort(t, comp)) {
				t.Errorf("prometheus.io/port annotation %q, want the listen port %d", p, m.listenPort(t, comp))
			}
		})
	}
	if !slices.Contains(api.Args, "--no-worker") {
		t.Errorf("api args %q, want --no-worker so jobs run in the worker only", api.Args)
	}
}

func TestK8sProbesHitRealRoutes(t *testing.T) {
	m := loadManifests(t)
	live := newLiveRoutes(t)
	tests := []struct {
		name  string
		probe func(container) *probe
		path  string
	}{
		{"liveness", func(c container) *probe { return c.LivenessProbe }, "/health"},
		{"readiness", func(c container) *probe { return c.ReadinessProbe }, "/health/ready"},
	}
	for _, comp := range components {
		_, c := m.omnify(t, comp)
		port := m.listenPort(t, comp)
		for _, tc := range tests {
			p := tc.probe(c)
			if p == nil || p.HTTPGet == nil {
				t.Errorf("%s: no HTTP %s probe", comp, tc.name)
				continue
			}
			if p.HTTPGet.Path != tc.path {
				t.Errorf("%s: %s probe GETs %s, want %s", comp, tc.name, p.HTTPGet.Path, tc.path)
			}
			if got, ok := c.port(p.HTTPGet.Port); !ok || got != port {
				t.Errorf("%s: %s probe port %q is %d, the binary listens on %d", comp, tc.name, p.HTTPGet.Port, got, port)
			}
			live.requireOK(t, comp+" "+tc.name+" probe", p.HTTPGet.Path)
		}
		if p := c.StartupProbe; p != nil && p.HTTPGet != nil {
			live.requireOK(t, comp+" startup probe", p.HTTPGet.Path)
		}
	}
}

func TestK8sContainersAreLockedDown(t *testing.T) {
	m := loadManifests(t)
	for _, comp := range components {
		d := m.deployments[comp]
		pod := d.Spec.Template.Spec.SecurityContext
		for _, c := range d.Spec.Template.Spec.Containers {
			name := comp + "/" + c.Name
			sc := c.SecurityContext
			if !isTrue(sc.RunAsNonRoot) && !isTrue(pod.RunAsNonRoot) {
				t.Errorf("%s: runAsNonRoot not set", name)
			}
			if uid := firstSet(sc.RunAsUser, pod.RunAsUser); uid == nil || *uid == 0 {
				t.Errorf("%s: runAsUser unset or 0; the image's nonroot UID must be explicit", name)
			}
			if !isTrue(sc.ReadOnlyRootFilesystem) {
				t.Errorf("%s: root filesystem is writable", name)
			}
			if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s: privilege escalation allowed", name)
			}
			for _, r := range []string{"cpu", "memory"} {
				if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
					t.Errorf("%s: %s request or limit unset", name, r)
				}
			}
		}
	}
}

func TestK8sEnvironment(t *testing.T) {
	m := loadManifests(t)
	env := binaryEnv(t)
	for name, data := range m.configMaps {
		t.Run("configmap "+name, func(t *testing.T) { checkEnvNames(t, env, keys(data)) })
	}
	secretKeys := secretExampleKeys(t)
	for _, comp := range components {
		_, c := m.omnify(t, comp)
		for _, e := range c.Env {
			checkEnvNames(t, env, []string{e.Name})
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				if ref := e.ValueFrom.SecretKeyRef; !secretKeys[ref.Name][ref.Key] {
					t.Errorf("%s: %s reads key %q of Secret %q, which secret.example.yaml does not document", comp, e.Name, ref.Key, ref.Name)
				}
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef != nil && m.configMaps[ef.ConfigMapRef.Name] == nil {
				t.Errorf("%s: envFrom ConfigMap %q is not in k8s/", comp, ef.ConfigMapRef.Name)
			}
		}
	}
}

// TestK8sReplicasShareTheSigningKey: an access token signed by one API
// replica must verify on every other, so the key comes from a Secret, not
// from each pod's own data dir.
func TestK8sReplicasShareTheSigningKey(t *testing.T) {
	m := loadManifests(t)
	d, c := m.omnify(t, "api")
	var keyFile string
	for _, data := range m.configMaps {
		if f, ok := data["OMNIFY_JWT_KEY_FILE"]; ok {
			keyFile = f
		}
	}
	if keyFile == "" {
		t.Fatal("OMNIFY_JWT_KEY_FILE unset: each replica would sign with its own key")
	}
	for _, vm := range c.VolumeMounts {
		if !strings.HasPrefix(keyFile, vm.MountPath+"/") {
			continue
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name == vm.Name && v.Secret != nil {
				return
			}
		}
	}
	t.Errorf("OMNIFY_JWT_KEY_FILE %s is not on a volume mounted from a Secret", keyFile)
}

func TestK8sTrafficReachesTheAPI(t *testing.T) {
	m := loadManifests(t)
	d, c := m.omnify(t, "api")
	pods := d.Spec.Template.Metadata.Labels
	port := m.listenPort(t, "api")
	svcPorts := map[string]bool{}
	for _, s := range m.services {
		if (labelSelector{MatchLabels: s.Spec.Selector}).matches(pods) {
			for _, p := range s.Spec.Ports {
				if got, ok := c.port(p.TargetPort); !ok || got != port {
					t.Errorf("Service %s targets port %q, the API listens on %d", s.Metadata.Name, p.TargetPort, port)
				}
				svcPorts[s.Metadata.Name+"/"+p.Name] = true
			}
		}
	}
	if len(svcPorts) == 0 {
		t.Fatal("no Service selects the api pods")
	}
	for _, ing := range m.ingresses {
		for _, r := range ing.Spec.Rules {
			for _, p := range r.HTTP.Paths {
				b := p.Backend.Service
				if !svcPorts[b.Name+"/"+b.Port.Name] {
					t.Errorf("Ingress backend %s/%s is not a Service port of the api", b.Name, b.Port.Name)
				}
			}
		}
	}
	if len(m.ingresses) == 0 {
		t.Error("no Ingress")
	}
	if !slices.ContainsFunc(m.netpols, func(n netpol) bool { return allowsPort(n, pods, port) }) {
		t.Errorf("no NetworkPolicy lets traffic into the api pods on port %d", port)
	}
}

func allowsPort(n netpol, pods map[string]string, port int) bool {
	if !n.Spec.PodSelector.matches(pods) {
		return false
	}
	for _, rule := range n.Spec.Ingress {
		for _, p := range rule.Ports {
			if p.Port == port {
				return true
			}
		}
	}
	return false
}

func TestK8sScalingAndDisruption(t *testing.T) {
	m := loadManifests(t)
	d, _ := m.omnify(t, "api")
	scaled := slices.ContainsFunc(m.hpas, func(h hpa) bool {
		ref := h.Spec.ScaleTargetRef
		return ref.Kind == "Deployment" && ref.Name == d.Metadata.Name && h.Spec.MinReplicas >= 2 && h.Spec.MaxReplicas > h.Spec.MinReplicas
	})
	if !scaled {
		t.Errorf("no HorizontalPodAutoscaler scales Deployment %s from at least 2 replicas", d.Metadata.Name)
	}
	if !slices.ContainsFunc(m.pdbs, func(p pdb) bool { return p.Spec.Selector.matches(d.Spec.Template.Metadata.Labels) }) {
		t.Error("no PodDisruptionBudget selects the api pods")
	}
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	var k struct {
		Resources []string `yaml:"resources"`
	}
	decodeYAML(t, "k8s/kustomization.yaml", &k)
	m := loadManifests(t)
	listed := map[string]bool{}
	for _, r := range k.Resources {
		listed[r] = true
		if !m.files[r] {
			t.Errorf("kustomization lists %s, which is not in k8s/", r)
		}
	}
	for f := range m.files {
		if f != "kustomization.yaml" && f != "secret.example.yaml" && !listed[f] {
			t.Errorf("k8s/%s is not in the kustomization", f)
		}
	}
	if listed["secret.example.yaml"] {
		t.Error("the example Secret would overwrite the real one")
	}
}

func secretExampleKeys(t *testing.T) map[string]map[string]bool {
	t.Helper()
	m := manifests{secretKeys: map[string]map[string]bool{}}
	for _, doc := range yamlDocs(t, "k8s/secret.example.yaml") {
		if err := m.add(doc); err != nil {
			t.Fatal(err)
		}
	}
	return m.secretKeys
}

func isTrue(b *bool) bool { return b != nil && *b }

func firstSet(vs ...*int64) *int64 {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
