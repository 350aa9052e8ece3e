#include "proxy/workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcntl.h>

#include <event2/util.h>

#include "wire/xalloc.h"

typedef struct job {
    work_fn fn, done;
    void *arg;
    struct job *next;
} job;

typedef struct job_queue {
    job *head, *tail;
} job_queue;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    job_queue todo, finished;
    bool stopping;
    pthread_t *threads;
    int nthreads;
    int notify[2]; /* a pipe: workers write a byte; the loop reads and runs callbacks */
    struct event *notified;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void push(job_queue *q, job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static job *pop(job_queue *q)
{
    job *j = q->head;
    if (j) {
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
    }
    return j;
}

static void *worker_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        job *j;
        while (!(j = pop(&pool.todo)) && !pool.stopping)
            pthread_cond_wait(&pool.wake, &pool.lock);
        if (!j)
            break;
        pthread_mutex_unlock(&pool.lock);
        j->fn(j->arg);
        pthread_mutex_lock(&pool.lock);
        push(&pool.finished, j);
        char byte = 1;
        /* A full pipe already means "callbacks pending": losing this byte is fine. */
        (void)!write(pool.notify[1], &byte, 1);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

/* On the loop: run the completion callbacks of finished jobs. */
static void run_finished(evutil_socket_t fd, short what, void *unused)
{
    (void)what;
    (void)unused;
    char drain[64];
    while (read(fd, drain, sizeof(drain)) > 0)
        ;
    for (;;) {
        pthread_mutex_lock(&pool.lock);
        job *j = pop(&pool.finished);
        pthread_mutex_unlock(&pool.lock);
        if (!j)
            return;
        if (j->done)
            j->done(j->arg);
        free(j);
    }
}

bool workers_start(struct event_base *base, int nthreads)
{
    if (pipe2(pool.notify, O_NONBLOCK | O_CLOEXEC) != 0)
        return false;
    pool.notified = event_new(base, pool.notify[0], EV_READ | EV_PERSIST, run_finished, NULL);
    event_add(pool.notified, NULL);
    pool.threads = xcalloc((size_t)nthreads, sizeof(pthread_t));
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&pool.threads[i], NULL, worker_main, NULL) != 0)
            break;
        pool.nthreads++;
    }
    return pool.nthreads > 0;
}

void workers_submit(work_fn fn, work_fn done, void *arg)
{
    job *j = xcalloc(1, sizeof(*j));
    j->fn = fn;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&pool.lock);
    push(&pool.todo, j);
    pthread_cond_signal(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
}

void workers_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stopping = true;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.nthreads; i++)
        pthread_join(pool.threads[i], NULL);
    run_finished(pool.notify[0], 0, NULL);
    free(pool.threads);
    pool.threads = NULL;
    pool.nthreads = 0;
    if (pool.notified)
        event_free(pool.notified);
    pool.notified = NULL;
    close(pool.notify[0]);
    close(pool.notify[1]);
}
