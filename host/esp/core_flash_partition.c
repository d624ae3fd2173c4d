/*
 * core_flash_t over ESP-IDF's partition API (components/esp_partition/
 * include/esp_partition.h, the same calls in v5.1.7 and v5.5.5:
 * esp_partition_find_first, esp_partition_read, esp_partition_write,
 * esp_partition_erase_range). What core_slots relies on:
 * - erase_range takes offsets and sizes that are multiples of the
 *   partition's erase_size, SPI_FLASH_SEC_SIZE (4096) on a chip
 *   (partition.c: v5.1.7 l.152, v5.5.5 l.184; checks in partition_target.c
 *   esp_partition_erase_range);
 * - write on a partition not marked encrypted goes straight to
 *   esp_flash_write, any offset and length (partition_target.c
 *   esp_partition_write: v5.1.7 l.74-76, v5.5.5 l.77-79), so a later write
 *   can clear more bits of a word already written (NOR: old AND new). An
 *   encrypted partition would need 16-byte aligned writes of whole blocks
 *   (esp_partition.h: v5.1.7 l.251-256, v5.5.5 l.268-273), which that
 *   bit-clearing cannot do: such a partition is refused.
 */
#include "core_flash_partition.h"

#include <inttypes.h>

#include "esp_check.h"
#include "esp_log.h"
#include "esp_partition.h"

static const char *TAG = "core_flash";

static int part_read(void *ctx, size_t off, void *dst, size_t len)
{
    esp_err_t err = esp_partition_read(ctx, off, dst, len);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "read %u bytes at 0x%x: %s", (unsigned)len, (unsigned)off, esp_err_to_name(err));
    }
    return err == ESP_OK ? 0 : -1;
}

static int part_write(void *ctx, size_t off, const void *src, size_t len)
{
    esp_err_t err = esp_partition_write(ctx, off, src, len);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "write %u bytes at 0x%x: %s", (unsigned)len, (unsigned)off, esp_err_to_name(err));
    }
    return err == ESP_OK ? 0 : -1;
}

static int part_erase(void *ctx, size_t off, size_t len)
{
    esp_err_t err = esp_partition_erase_range(ctx, off, len);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "erase %u bytes at 0x%x: %s", (unsigned)len, (unsigned)off, esp_err_to_name(err));
    }
    return err == ESP_OK ? 0 : -1;
}

esp_err_t core_flash_partition_open(core_flash_t *out)
{
    ESP_RETURN_ON_FALSE(out != NULL, ESP_ERR_INVALID_ARG, TAG, "out is NULL");
    /* "undefined" in partitions.csv: ESP_PARTITION_SUBTYPE_DATA_UNDEFINED (0x06) in both versions. */
    const esp_partition_t *p =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_DATA_UNDEFINED, CORE_FLASH_PARTITION_LABEL);
    ESP_RETURN_ON_FALSE(p != NULL, ESP_ERR_NOT_FOUND, TAG,
                        "no data partition \"%s\": flash the partition table (idf.py flash writes partitions.csv); "
                        "uploaded cores cannot be kept",
                        CORE_FLASH_PARTITION_LABEL);
    ESP_RETURN_ON_FALSE(!p->encrypted, ESP_ERR_NOT_SUPPORTED, TAG,
                        "partition \"%s\" is marked encrypted: remove the flag in partitions.csv",
                        CORE_FLASH_PARTITION_LABEL);
    *out = (core_flash_t){
        .size = p->size,
        .erase_size = p->erase_size,
        .read = part_read,
        .write = part_write,
        .erase = part_erase,
        .ctx = (void *)p,
    };
    ESP_LOGI(TAG, "partition \"%s\" at 0x%" PRIx32 ", %" PRIu32 " bytes", p->label, p->address, p->size);
    return ESP_OK;
}
