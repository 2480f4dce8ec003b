<?php
/**
 * Removes the plugin's settings. Orders keep their design meta: it is part of the order record.
 *
 * @package LuneoPersonalizer
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

foreach ( array( 'luneo_url', 'luneo_key', 'luneo_button_label', 'luneo_button_color', 'luneo_button_text_color' ) as $luneo_option ) {
	delete_option( $luneo_option );
}
