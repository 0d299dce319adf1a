/*
 * Printing records as they stream: each record is written from its table
 * (the one that bound it), list elements as they complete. A record whose
 * lists came before its own fields is opened when the first element
 * arrives and closed with its fields when it completes, so the output is
 * one JSON document in constant memory, its members in the order they
 * could be written. A record that was not read whole carries "_error".
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <string.h>

/* A record's members as JSON text, without its braces, into p->scratch:
 * the length, or -1 when it does not fit. */
static long members_text(tt_cli_printer *p, const tt_json_field *table, const void *rec,
                         const tt_error *problem)
{
    tt_json_writer w;
    tt_error e;
    size_t n;
    tt_jw_init(&w, p->scratch, sizeof p->scratch);
    tt_jw_object(&w);
    tt_jw_members(&w, table->sub, table->nsub, rec);
    if (problem != NULL)
        tt_jw_kv_string(&w, "_error", problem->msg);
    tt_jw_end(&w);
    if (tt_jw_finish(&w, &n, &e) != 0)
        return -1;
    p->scratch[n - 1] = '\0';
    return (long)n - 2;
}

static void put(tt_cli_printer *p, const char *s, size_t n)
{
    if (n > 0 && fwrite(s, 1, n, stdout) != n)
        p->write_failed = 1;
}

static void puts_(tt_cli_printer *p, const char *s)
{
    put(p, s, strlen(s));
}

/* At level k, the open list must be `list`: close another, open it. */
static void use_list(tt_cli_printer *p, unsigned k, const tt_json_field *list)
{
    tt_cli_level *l = &p->lv[k];
    if (l->list == list)
        return;
    if (l->list != NULL)
        puts_(p, "]");
    puts_(p, l->members++ ? ",\"" : "\"");
    puts_(p, list->name);
    puts_(p, "\":[");
    l->list = list;
    l->count = 0;
}

/* The element at level i begins to be written: in its list, after a
 * comma when it is not the first. In line mode the root's list is not
 * written: each of its elements is a line. */
static void element_start(tt_cli_printer *p, unsigned i, const tt_json_field *list)
{
    if (p->lines && i == 1)
        return;
    use_list(p, i - 1, list);
    if (p->lv[i - 1].count++ > 0)
        puts_(p, ",");
}

/* Open record levels up to k, outermost first: chain[i] is the element
 * at level i (chain[0], the root, is not an element). */
static void open_levels(tt_cli_printer *p, const tt_json_item *const *chain, unsigned k)
{
    unsigned i;
    for (i = p->lines ? 1 : 0; i <= k; i++) {
        if (p->lv[i].opened)
            continue;
        if (i > 0)
            element_start(p, i, chain[i]->list);
        puts_(p, "{");
        p->lv[i].opened = 1;
        p->lv[i].list = NULL;
        p->lv[i].members = 0;
    }
}

/* Record level k is complete: its own members, and its end. */
static int close_level(tt_cli_printer *p, unsigned k, const tt_json_field *table, const void *rec,
                       const tt_error *problem)
{
    tt_cli_level *l = &p->lv[k];
    long n = members_text(p, table, rec, problem);
    if (n < 0)
        return -1;
    if (l->list != NULL)
        puts_(p, "]");
    if (n > 0) {
        if (l->members > 0)
            puts_(p, ",");
        put(p, p->scratch + 1, (size_t)n);
    }
    puts_(p, "}");
    memset(l, 0, sizeof *l);
    return 0;
}

void tt_cli_printer_init(tt_cli_printer *p, const tt_json_field *root, int lines)
{
    memset(p, 0, sizeof *p);
    p->root = root;
    p->lines = lines;
}

int tt_cli_printer_item(void *user, const tt_json_item *it, tt_error *err)
{
    tt_cli_printer *p = user;
    const tt_json_item *chain[TT_JSON_BIND_LEVELS];
    const tt_json_item *x;
    unsigned k = 0, i;
    long n;

    /* the elements this one lies in, outermost first */
    for (x = it; x != NULL; x = x->parent)
        k++;
    for (x = it, i = k; x != NULL; x = x->parent)
        chain[i--] = x;
    chain[0] = NULL;
    if (it->error != NULL) {
        p->problems++;
        if (p->first.cls == TT_ERR_NONE)
            p->first = *it->error;
        fprintf(stderr, "tether: %s\n", it->error->msg);
    }
    open_levels(p, chain, k - 1);
    if (p->lv[k].opened) {
        /* its lists came first: now its own members, and its end */
        if (close_level(p, k, it->list, it->record, it->error) != 0)
            goto too_big;
    } else {
        element_start(p, k, it->list);
        if ((n = members_text(p, it->list, it->record, it->error)) < 0)
            goto too_big;
        puts_(p, "{");
        put(p, p->scratch + 1, (size_t)n);
        puts_(p, "}");
    }
    if (p->lines && k == 1)
        puts_(p, "\n");
    if (p->write_failed)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot write to stdout");
    return 0;
too_big:
    return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                        "%s[%zu]: record larger than the printer's %zu bytes", it->list->name,
                        it->index, sizeof p->scratch);
}

int tt_cli_printer_end(tt_cli_printer *p, const void *root_record, const tt_error *problem)
{
    const tt_json_item *chain[1] = { NULL };
    if (!p->lines) {
        open_levels(p, chain, 0);
        if (close_level(p, 0, p->root, root_record, problem) != 0) {
            fprintf(stderr, "tether: record larger than the printer's %zu bytes\n",
                    sizeof p->scratch);
            return TT_EXIT_LIMIT;
        }
        puts_(p, "\n");
    }
    if (fflush(stdout) != 0 || p->write_failed) {
        fprintf(stderr, "tether: cannot write to stdout\n");
        return TT_EXIT_LOCAL;
    }
    return 0;
}

int tt_cli_printer_status(const tt_cli_printer *p)
{
    if (p->problems == 0)
        return 0;
    fprintf(stderr, "tether: %lu record%s not read whole (see above)\n", p->problems,
            p->problems == 1 ? "" : "s");
    return tt_cli_exit_code(&p->first);
}
