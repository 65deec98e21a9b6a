/* Progress bar and periodic progress lines. */
#include "cli/progress.h"

#include <unistd.h>

void remap_progress_init(remap_progress *p, FILE *out, bool quiet)
{
    p->out = out;
    p->tty = isatty(fileno(out));
    p->quiet = quiet;
    p->last_print = 0;
    p->bar_shown = false;
}

static void format_duration(double s, char *buf, size_t size)
{
    if (!(s >= 0) || s > 1e7) {
        snprintf(buf, size, "--:--");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%lu:%02lu", t / 60, t % 60);
}

void remap_progress_update(void *ctx, const remap_run_progress *rp)
{
    remap_progress *p = ctx;
    if (p->quiet)
        return;
    uint64_t span = rp->last - rp->first;
    uint64_t done = rp->iteration - rp->first;
    double frac = span ? (double)done / (double)span : 1.0;
    double eta = rp->rate > 0 ? (double)(rp->last - rp->iteration) / rp->rate
                              : -1;
    char eta_s[32];
    format_duration(eta, eta_s, sizeof eta_s);
    if (p->tty) {
        enum { WIDTH = 30 };
        char bar[WIDTH + 1];
        int filled = (int)(frac * WIDTH);
        for (int i = 0; i < WIDTH; i++)
            bar[i] = i < filled ? '#' : '-';
        bar[WIDTH] = '\0';
        fprintf(p->out, "\r[%s] %3.0f%%  %llu/%llu  %.0f it/s  ETA %s ", bar,
                100 * frac, (unsigned long long)rp->iteration,
                (unsigned long long)rp->last, rp->rate, eta_s);
        fflush(p->out);
        p->bar_shown = true;
        return;
    }
    /* Plain lines: every 10 s, and at every measurement. */
    if (rp->elapsed - p->last_print < 10.0 && !rp->measures &&
        rp->iteration != rp->last)
        return;
    p->last_print = rp->elapsed;
    fprintf(p->out, "remap: iteration %llu/%llu (%.0f%%), %.0f it/s, ETA %s",
            (unsigned long long)rp->iteration, (unsigned long long)rp->last,
            100 * frac, rp->rate, eta_s);
    if (rp->measures && rp->measures->visual)
        fprintf(p->out, ", selectivity %.3f, %d pinwheels",
                (double)rp->measures->selectivity_mean,
                rp->measures->pinwheels);
    else if (rp->measures)
        fprintf(p->out, ", topographic error %.3f",
                (double)rp->measures->topographic_error);
    fputc('\n', p->out);
    fflush(p->out);
}

void remap_progress_finish(remap_progress *p)
{
    if (p->bar_shown)
        fputc('\n', p->out);
    p->bar_shown = false;
}
