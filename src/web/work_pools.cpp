#include "web/work_pools.h"

#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace wenku::web {

WorkPools::WorkPools(const std::array<WorkPoolOptions, work_class_count>& options) {
    for (std::size_t i = 0; i < work_class_count; ++i) {
        Pool& pool = pools_[i];
        pool.options = options[i];
        for (int t = 0; t < std::max(1, pool.options.threads); ++t)
            pool.threads.emplace_back([this, &pool] {
                // Linux schedules threads one by one: a niceness set here holds for this thread only.
                if (pool.options.nice != 0)
                    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), pool.options.nice);
                work(pool);
            });
    }
}

WorkPools::~WorkPools() { shutdown(); }

bool WorkPools::admit(WorkClass c) {
    Pool& pool = pools_[static_cast<std::size_t>(c)];
    std::lock_guard lock(pool.mutex);
    if (pool.admitted >= pool.options.queue) return false;
    ++pool.admitted;
    return true;
}

void WorkPools::cancel(WorkClass c) {
    Pool& pool = pools_[static_cast<std::size_t>(c)];
    std::lock_guard lock(pool.mutex);
    --pool.admitted;
}

void WorkPools::run(WorkClass c, std::function<void()> job) {
    Pool& pool = pools_[static_cast<std::size_t>(c)];
    {
        std::lock_guard lock(pool.mutex);
        pool.jobs.push_back(std::move(job));
    }
    pool.wake.notify_one();
}

int WorkPools::waiting(WorkClass c) const {
    const Pool& pool = pools_[static_cast<std::size_t>(c)];
    std::lock_guard lock(pool.mutex);
    return pool.admitted;
}

void WorkPools::shutdown() {
    for (Pool& pool : pools_) {
        {
            std::lock_guard lock(pool.mutex);
            pool.stopping = true;
        }
        pool.wake.notify_all();
    }
    for (Pool& pool : pools_) {
        for (auto& t : pool.threads) {
            if (t.joinable()) t.join();
        }
        std::deque<std::function<void()>> dropped;
        std::lock_guard lock(pool.mutex);
        dropped.swap(pool.jobs);
        pool.admitted = 0;
    }
}

void WorkPools::work(Pool& pool) {
    std::unique_lock lock(pool.mutex);
    while (true) {
        pool.wake.wait(lock, [&pool] { return pool.stopping || !pool.jobs.empty(); });
        if (pool.stopping) return;
        auto job = std::move(pool.jobs.front());
        pool.jobs.pop_front();
        --pool.admitted;
        lock.unlock();
        try {
            job();
        } catch (const std::exception& e) {
            spdlog::error("a request's work failed: {}", e.what());
        }
        job = nullptr;  // what it holds (a connection) is let go outside the lock
        lock.lock();
    }
}

}  // namespace wenku::web
