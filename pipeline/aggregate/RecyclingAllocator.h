#pragma once

#include <cstddef>
#include <memory>

namespace stratus {

// A std::allocator that keeps up to kKept freed single-element blocks per thread and type and hands
// them out again. Why: a station's panes live in a std::deque, and a pane is larger than a deque
// buffer, so every new pane is one node allocation and every evicted pane one free — once per
// station-minute in steady state. A pane is also larger than glibc's per-thread cache (1,032 B), so
// those went through malloc's locked bins; recycling takes them off the per-reading budget.
// Stateless: any two instances are interchangeable (a block freed on another thread simply joins that
// thread's list), so containers keep their usual copy/move/swap behaviour.
template <typename T>
class RecyclingAllocator
{
public:
    using value_type = T;
    static constexpr int kKept = 256;

    RecyclingAllocator() noexcept = default;
    template <typename U>
    RecyclingAllocator(const RecyclingAllocator<U> &) noexcept {}

    T *allocate(std::size_t n)
    {
        FreeList &list = freeList();
        if (n == 1 && list.head != nullptr) {
            Block *b = list.head;
            list.head = b->next;
            --list.count;
            return reinterpret_cast<T *>(b);
        }
        return std::allocator<T>().allocate(n);
    }

    void deallocate(T *p, std::size_t n) noexcept
    {
        FreeList &list = freeList();
        if (n == 1 && sizeof(T) >= sizeof(Block) && list.count < kKept) {
            Block *b = reinterpret_cast<Block *>(p);
            b->next = list.head;
            list.head = b;
            ++list.count;
            return;
        }
        std::allocator<T>().deallocate(p, n);
    }

    template <typename U>
    bool operator==(const RecyclingAllocator<U> &) const noexcept { return true; }

private:
    struct Block
    {
        Block *next;
    };
    struct FreeList
    {
        Block *head = nullptr;
        int count = 0;
        ~FreeList()
        {
            while (head != nullptr) {
                Block *next = head->next;
                std::allocator<T>().deallocate(reinterpret_cast<T *>(head), 1);
                head = next;
            }
        }
    };
    static FreeList &freeList()
    {
        thread_local FreeList list;
        return list;
    }
};

} // namespace stratus
