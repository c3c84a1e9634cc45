package slack

import (
	"container/list"
	"sync"
	"time"
)

// userInfo is what the adapter learns from users.info: the zone new members
// start in, and whether Slack calls them an admin.
type userInfo struct {
	TZ      string
	IsAdmin bool
}

// userCache remembers users.info answers so that only a user's first command
// in a while waits for the lookup. It is bounded: the least recently used
// entry goes when it is full.
type userCache struct {
	max int
	ttl time.Duration

	mu    sync.Mutex
	order *list.List // of *userEntry, most recently used first
	byKey map[string]*list.Element
}

type userEntry struct {
	key     string
	info    userInfo
	expires time.Time
}

func newUserCache(max int, ttl time.Duration) *userCache {
	return &userCache{max: max, ttl: ttl, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *userCache) get(key string, now time.Time) (userInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return userInfo{}, false
	}
	e := el.Value.(*userEntry)
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.byKey, key)
		return userInfo{}, false
	}
	c.order.MoveToFront(el)
	return e.info, true
}

// put stores info for ttl (or the cache's TTL when ttl is zero).
func (c *userCache) put(key string, info userInfo, now time.Time, ttl time.Duration) {
	if ttl == 0 {
		ttl = c.ttl
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		e := el.Value.(*userEntry)
		e.info, e.expires = info, now.Add(ttl)
		c.order.MoveToFront(el)
		return
	}
	c.byKey[key] = c.order.PushFront(&userEntry{key: key, info: info, expires: now.Add(ttl)})
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*userEntry).key)
	}
}
