/* pa_llm_cli — see cli.h. */
#include "llm/cli.h"

#include "llm/client.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CLI_FILE_MAX = PA_LLM_REQUEST_MAX }; /* bytes of a --request file */

static const char usage[] =
    "usage: petamigos-server llm ask [--timeout-ms N] [--json] [--tools] [--system TEXT]\n"
    "                                (QUESTION | --request FILE|-)\n"
    "  Asks PA_LLM_URL's /v1/chat/completions (PA_LLM_MODEL, PA_LLM_KEY) and prints\n"
    "  the answer as it streams, then its tool calls and finish reason.\n"
    "  --json       one JSON object a line: {\"token\"}, {\"tool_call\"}, {\"done\"}, {\"error\"}\n"
    "  --tools      offers the assistant's tools (my_plan, my_orders, order_status,\n"
    "               hidden_posts) to see that the model calls them\n"
    "  --system     the system message (default: a short helpdesk instruction)\n"
    "  --request    a whole chat request (JSON) instead of QUESTION\n"
    "  exit: 0 answered, 1 error, 2 usage, 3 timeout, 4 PA_LLM_URL not set\n";

/* The tools hask offers a signed-in asker, as OpenAI function definitions. */
static const char tools_json[] =
    "[{\"type\":\"function\",\"function\":{\"name\":\"my_plan\",\"description\":\"The asker's "
    "plan and next renewal\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"my_orders\",\"description\":\"The asker's "
    "latest orders\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"order_status\",\"description\":\"One of the "
    "asker's orders\",\"parameters\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":"
    "\"string\"}},\"required\":[\"order_id\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"hidden_posts\",\"description\":\"The asker's "
    "posts hidden by moderation\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}}]";

typedef struct out {
  int json;
  size_t tokens;
} out;

static void print_json(cJSON *o) {
  char *s = o ? cJSON_PrintUnformatted(o) : NULL;
  if (s) puts(s);
  fflush(stdout);
  cJSON_free(s);
  cJSON_Delete(o);
}

static int on_token(void *ctx, const char *text, size_t len) {
  out *o = ctx;
  o->tokens++;
  if (o->json) {
    char *t = malloc(len + 1);
    if (!t) return 1;
    memcpy(t, text, len);
    t[len] = '\0';
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "token", t);
    free(t);
    print_json(j);
  } else {
    fwrite(text, 1, len, stdout);
    fflush(stdout);
  }
  return 0;
}

/* The whole of a file or stdin ("-"), NUL-terminated; NULL when unreadable
 * or over CLI_FILE_MAX. */
static char *slurp(const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) return NULL;
  char *b = malloc(CLI_FILE_MAX + 2);
  size_t n = b ? fread(b, 1, CLI_FILE_MAX + 1, f) : 0;
  if (f != stdin) fclose(f);
  if (!b || n > CLI_FILE_MAX) {
    free(b);
    return NULL;
  }
  b[n] = '\0';
  return b;
}

static char *question_request(const char *system, const char *question, int tools) {
  cJSON *r = cJSON_CreateObject(), *msgs = cJSON_AddArrayToObject(r, "messages");
  cJSON *sys = cJSON_CreateObject(), *user = cJSON_CreateObject();
  cJSON_AddStringToObject(sys, "role", "system");
  cJSON_AddStringToObject(sys, "content", system);
  cJSON_AddStringToObject(user, "role", "user");
  cJSON_AddStringToObject(user, "content", question);
  cJSON_AddItemToArray(msgs, sys);
  cJSON_AddItemToArray(msgs, user);
  if (tools) cJSON_AddItemToObject(r, "tools", cJSON_Parse(tools_json));
  char *s = cJSON_PrintUnformatted(r);
  cJSON_Delete(r);
  return s;
}

static int ask(int argc, char **argv) {
  const char *question = NULL, *request_file = NULL;
  const char *system = "You are the PetAmigos help assistant. Answer briefly, in the language "
                       "of the question. Say so when you do not know.";
  long long timeout_ms = 0;
  int tools = 0;
  out o = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--json") == 0) {
      o.json = 1;
    } else if (strcmp(a, "--tools") == 0) {
      tools = 1;
    } else if ((strcmp(a, "--timeout-ms") == 0 || strcmp(a, "--system") == 0 ||
                strcmp(a, "--request") == 0) &&
               i + 1 < argc) {
      const char *v = argv[++i];
      if (strcmp(a, "--system") == 0) {
        system = v;
      } else if (strcmp(a, "--request") == 0) {
        request_file = v;
      } else {
        char *end;
        errno = 0;
        timeout_ms = strtoll(v, &end, 10);
        if (errno || !*v || *end || timeout_ms <= 0) {
          fputs("petamigos-server llm: --timeout-ms takes a positive number\n", stderr);
          return PA_LLM_CLI_USAGE;
        }
      }
    } else if (a[0] != '-' && !question) {
      question = a;
    } else {
      fputs(usage, stderr);
      return PA_LLM_CLI_USAGE;
    }
  }
  if (!question == !request_file) {
    fputs(usage, stderr);
    return PA_LLM_CLI_USAGE;
  }
  pa_llm_config cfg;
  char err[256];
  int configured = pa_llm_config_env(&cfg, err, sizeof err);
  if (configured < 0) {
    fprintf(stderr, "petamigos-server llm: %s\n", err);
    return PA_LLM_CLI_USAGE;
  }
  if (configured == 0) {
    fputs("petamigos-server llm: PA_LLM_URL is not set: the assistant answers by retrieval only\n",
          stderr);
    return PA_LLM_CLI_NO_MODEL;
  }
  char *request = request_file ? slurp(request_file) : question_request(system, question, tools);
  if (!request) {
    fprintf(stderr, "petamigos-server llm: %s\n",
            request_file ? "cannot read the request (or it is too long)" : "out of memory");
    return request_file ? PA_LLM_CLI_USAGE : PA_LLM_CLI_ERROR;
  }
  pa_llm_sink *sink = calloc(1, sizeof *sink);
  if (!sink) {
    free(request);
    return PA_LLM_CLI_ERROR;
  }
  sink->ctx = &o;
  sink->token = on_token;
  int64_t deadline = timeout_ms ? pa_llm_now_ms() + timeout_ms : 0;
  int rc = pa_llm_chat(&cfg, request, sink, deadline);
  free(request);
  const pa_llm_reply *r = &sink->reply;
  if (!o.json && o.tokens) putchar('\n');
  for (int i = 0; i < r->ncalls && rc == PA_LLM_OK; i++) {
    const pa_llm_tool_call *c = &r->calls[i];
    if (o.json) {
      cJSON *j = cJSON_CreateObject(), *t = cJSON_AddObjectToObject(j, "tool_call");
      cJSON_AddStringToObject(t, "id", c->id);
      cJSON_AddStringToObject(t, "name", c->name);
      cJSON_AddItemToObject(t, "arguments", pa_llm_tool_args(c));
      print_json(j);
    } else {
      printf("tool call: %s %s\n", c->name, c->args_len ? c->args : "{}");
    }
  }
  if (rc == PA_LLM_OK) {
    if (o.json) {
      cJSON *j = cJSON_CreateObject(), *d = cJSON_AddObjectToObject(j, "done");
      cJSON_AddStringToObject(d, "finish", pa_llm_finish_name(r->finish));
      cJSON_AddStringToObject(d, "answer", r->answer);
      print_json(j);
    } else {
      printf("finish: %s\n", pa_llm_finish_name(r->finish));
    }
  } else {
    if (o.json) {
      cJSON *j = cJSON_CreateObject();
      cJSON_AddStringToObject(j, "error", pa_llm_errstr(rc));
      print_json(j);
    }
    fprintf(stderr, "petamigos-server llm: %s\n", pa_llm_errstr(rc));
  }
  fflush(stdout);
  free(sink);
  return rc == PA_LLM_OK         ? PA_LLM_CLI_OK
         : rc == PA_LLM_ETIMEOUT ? PA_LLM_CLI_TIMEOUT
         : rc == PA_LLM_ECONFIG  ? PA_LLM_CLI_USAGE
                                 : PA_LLM_CLI_ERROR;
}

int pa_llm_cli(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "ask") == 0) return ask(argc - 1, argv + 1);
  int help = argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
  fputs(usage, help ? stdout : stderr);
  return help ? 0 : PA_LLM_CLI_USAGE;
}
