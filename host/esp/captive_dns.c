/*
 * The captive portal's DNS: a UDP socket on <AP address>:53 and a task that
 * hands each datagram to dns_answer_build (host/portable/dns_answer.c, where
 * every decision is made and tested) and sends back what it built. After
 * ESP-IDF's examples/protocols/http_server/captive_portal (dns_server.c),
 * whose DHCP server already names the AP as the DNS server
 * (CONFIG_LWIP_DHCPS_ADD_DNS, default y; phone_access.c also sets it).
 */
#include "captive_dns.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "esp_check.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "dns_answer.h"

static const char *TAG = "captive_dns";

#define DNS_PORT 53
#define DNS_TASK_STACK 3072
#define DNS_TASK_PRIORITY 5
#define DNS_RETRY_DELAY_MS 100

static int s_fd = -1;
static uint8_t s_ap_ip[4];
/* One task serves the socket: static buffers keep its stack small. One
 * byte more than a DNS message can be, so an oversized datagram (cut to
 * this size by recvfrom) is still recognised and dropped. */
static uint8_t s_in[DNS_ANSWER_MAX_MESSAGE + 1];
static uint8_t s_out[DNS_ANSWER_MAX_MESSAGE];

static void dns_task(void *arg)
{
    (void)arg;
    for (;;) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof(from);
        int n = recvfrom(s_fd, s_in, sizeof(s_in), 0, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            ESP_LOGW(TAG, "recvfrom: errno %d", errno);
            vTaskDelay(pdMS_TO_TICKS(DNS_RETRY_DELAY_MS)); /* never spin on a broken socket */
            continue;
        }
        size_t len = 0;
        if (dns_answer_build(s_in, (size_t)n, s_ap_ip, s_out, sizeof(s_out), &len) != DNS_ANSWER_REPLY) {
            ESP_LOGD(TAG, "dropped a %d-byte datagram", n);
            continue;
        }
        if (sendto(s_fd, s_out, len, 0, (struct sockaddr *)&from, from_len) != (int)len) {
            ESP_LOGD(TAG, "sendto: errno %d", errno);
        }
    }
}

esp_err_t captive_dns_start(const uint8_t ap_ip[4])
{
    ESP_RETURN_ON_FALSE(ap_ip != NULL && s_fd < 0, ESP_ERR_INVALID_STATE, TAG, "already running or no address");
    memcpy(s_ap_ip, ap_ip, sizeof(s_ap_ip));
    s_fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    ESP_RETURN_ON_FALSE(s_fd >= 0, ESP_FAIL, TAG, "socket: errno %d (raise LWIP_MAX_SOCKETS?)", errno);
    struct sockaddr_in addr = {
        .sin_family = AF_INET,
        .sin_port = htons(DNS_PORT),
    };
    memcpy(&addr.sin_addr.s_addr, ap_ip, 4);
    if (bind(s_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        ESP_LOGE(TAG, "bind %u.%u.%u.%u:%d: errno %d", ap_ip[0], ap_ip[1], ap_ip[2], ap_ip[3], DNS_PORT, errno);
        close(s_fd);
        s_fd = -1;
        return ESP_FAIL;
    }
    if (xTaskCreate(dns_task, "captive_dns", DNS_TASK_STACK, NULL, DNS_TASK_PRIORITY, NULL) != pdPASS) {
        close(s_fd);
        s_fd = -1;
        ESP_LOGE(TAG, "no memory for the DNS task");
        return ESP_ERR_NO_MEM;
    }
    ESP_LOGI(TAG, "answering every name with %u.%u.%u.%u (UDP port %d)", ap_ip[0], ap_ip[1], ap_ip[2], ap_ip[3],
             DNS_PORT);
    return ESP_OK;
}
